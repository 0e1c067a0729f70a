package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RSASSA-PKCS1-v1_5 verification against every {@code rsa_signature_*} file, on the message path
 * and the prehashed path (which must agree). Files hashing with SHA-224, SHA-512/224,
 * SHA-512/256 or SHA-3 are out of scope (Tresor has PKCS#1 schemes for SHA-256/384/512 only);
 * the 8192-bit key must fail to load (no such key type). Policy for the {@code acceptable}
 * MissingNull cases (DigestInfo without the NULL parameter): rejected — Tresor compares the
 * whole encoded DigestInfo.
 */
class RsaPkcs1SignatureWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void everyPkcs1SignatureVectorVerifiesOrIsRejectedAsTresorPromises() {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        Map<Object, LoadedKey> keys = new IdentityHashMap<>();
        for (String file : WycheproofVectors.files("rsa_signature_")) {
            for (WycheproofVectors.Case c : WycheproofVectors.cases(file)) {
                String sha = c.groupText("sha");
                Scheme scheme = WycheproofVectors.scheme("RSA_PKCS1_", sha);
                if (scheme == null) {
                    report.outOfScope(c, "no RSA PKCS#1 v1.5 scheme with " + sha);
                    continue;
                }
                KeyType type = WycheproofVectors.rsaType(c.groupInt("keySize"));
                if (type == null) {
                    report.mustReject(c, SignatureVectors.publicKeyLoads(KeyType.RSA_4096, c.groupBytes("publicKeyDer")),
                            "no RSA-" + c.groupInt("keySize") + " key type");
                    continue;
                }
                LoadedKey key = keys.computeIfAbsent(c.group(), g -> LoadedKey.publicOnly(type, c.groupBytes("publicKeyDer")));
                report.expect(c, SignatureVectors.verifies(CRYPTO, key, scheme, c, report));
            }
        }
        report.assertClean(1500);
    }
}
