package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RSASSA-PSS verification against every {@code rsa_pss_*} file, on both the message path and the
 * prehashed path, which must always agree. Tresor's PSS schemes hash with SHA-1 (verify only),
 * SHA-256/384/512 and use MGF1 with the same hash; verification reads the salt length from the
 * signature, since signers choose it (hash length, maximum, none):
 * <ul>
 * <li>SHA-224, SHA-512/224, SHA-512/256 and SHAKE files are out of scope (no scheme);
 * <li>with another MGF1 hash, valid cases are must-reject (invalid ones say nothing about Tresor's
 *     parameters and are only counted);
 * <li>the "s_len changed" cases are genuine signatures with another salt length: must-accept;
 * <li>{@code *_params_test} keys carry the RSASSA-PSS algorithm identifier; Tresor imports only
 *     rsaEncryption keys, so loading them must fail (their signatures repeat the plain files);
 * <li>the rest must verify exactly when Wycheproof says valid, whatever their salt length.
 * </ul>
 * The PSS files have no {@code acceptable} cases.
 */
class RsaPssWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void everyPssVectorVerifiesOrIsRejectedAsTresorPromises() {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        Map<Object, LoadedKey> keys = new IdentityHashMap<>();
        for (String file : WycheproofVectors.files("rsa_pss_")) {
            for (WycheproofVectors.Case c : WycheproofVectors.cases(file)) {
                String sha = c.groupText("sha");
                Scheme scheme = WycheproofVectors.scheme("RSA_PSS_", sha);
                if (scheme == null) {
                    report.outOfScope(c, "no RSA-PSS scheme with " + sha);
                    continue;
                }
                KeyType type = WycheproofVectors.rsaType(c.groupInt("keySize"));
                boolean pssKey = file.endsWith("_params_test.json");
                if (type == null || pssKey) {
                    report.mustReject(c, SignatureVectors.publicKeyLoads(type == null ? KeyType.RSA_2048 : type, c.groupBytes("publicKeyDer")),
                            pssKey ? "Tresor imports rsaEncryption public keys only" : "no RSA-" + c.groupInt("keySize") + " key type");
                    continue;
                }
                LoadedKey key = keys.computeIfAbsent(c.group(), g -> LoadedKey.publicOnly(type, c.groupBytes("publicKeyDer")));
                boolean verified = SignatureVectors.verifies(CRYPTO, key, scheme, c, report);
                if (!c.groupText("mgfSha").equals(sha)) {
                    if (c.valid()) {
                        report.mustReject(c, verified, "Tresor's PSS uses MGF1 with the message hash");
                    } else {
                        report.outOfScope(c, "invalid under another MGF1 hash, which says nothing about Tresor's");
                    }
                } else if (c.test().get("comment").asText().startsWith("s_len changed to")) {
                    report.mustAccept(c, verified, "Tresor reads the salt length from the signature");
                } else {
                    report.expect(c, verified);
                }
            }
        }
        report.assertClean(500);
    }
}
