package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RSASSA-PSS verification against every {@code rsa_pss_*} file, on both the message path (JDK)
 * and the prehashed path (BouncyCastle's raw PSS signer), which must always agree. Tresor's PSS
 * schemes hash with SHA-256/384/512, use MGF1 with the same hash and a salt of the hash length:
 * <ul>
 * <li>SHA-1, SHA-224, SHA-512/224, SHA-512/256 and SHAKE files are out of scope (no scheme);
 * <li>with another MGF1 hash or salt length, valid cases are must-reject (invalid ones say nothing
 *     about Tresor's parameters and are only counted);
 * <li>{@code *_params_test} keys carry the RSASSA-PSS algorithm identifier; Tresor imports only
 *     rsaEncryption keys, so loading them must fail (their signatures repeat the plain files);
 * <li>the rest must verify exactly when Wycheproof says valid.
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
                int hashLength = Hash.of(scheme).length();
                if (!c.groupText("mgfSha").equals(sha) || c.groupInt("sLen") != hashLength) {
                    if (c.valid()) {
                        report.mustReject(c, verified, "Tresor's PSS uses MGF1 with the same hash and salt = hash length");
                    } else {
                        // e.g. a salt-0 file's "s_len changed to 32" case is a genuine signature for Tresor's parameters
                        report.outOfScope(c, "invalid under other PSS parameters, which says nothing about Tresor's");
                    }
                } else {
                    report.expect(c, verified);
                }
            }
        }
        report.assertClean(500);
    }
}
