package dev.tresor.kms.crypto;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RSAES-PKCS1-v1_5 decryption files ({@code rsa_pkcs1_*}). Tresor has no PKCS#1 v1.5
 * encryption scheme (it is open to Bleichenbacher-style padding oracles), so these vectors check
 * two things Tresor does promise: the PKCS#8 keys load, and no PKCS#1 v1.5 ciphertext, valid or
 * not, is ever accepted by any of Tresor's RSA-OAEP schemes.
 */
class RsaPkcs1DecryptionWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final Scheme[] OAEP = {
        Scheme.RSA_OAEP_SHA1, Scheme.RSA_OAEP_SHA256, Scheme.RSA_OAEP_SHA384, Scheme.RSA_OAEP_SHA512};

    @Test
    void pkcs1CiphertextsNeverDecryptUnderOaep() {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        Map<Object, LoadedKey> keys = new IdentityHashMap<>();
        for (String file : WycheproofVectors.files("rsa_pkcs1_")) {
            for (WycheproofVectors.Case c : WycheproofVectors.cases(file)) {
                LoadedKey key = keys.computeIfAbsent(c.group(), g -> CRYPTO.load(
                        WycheproofVectors.rsaType(c.groupInt("keySize")), KeyMaterial.copyOf(c.groupBytes("privateKeyPkcs8"))));
                boolean anyDecrypted = false;
                for (Scheme scheme : OAEP) {
                    anyDecrypted |= decrypts(key, scheme, c.bytes("ct"));
                }
                report.mustReject(c, anyDecrypted, "Tresor decrypts RSA-OAEP only, never PKCS#1 v1.5");
            }
        }
        report.assertClean(200);
    }

    private static boolean decrypts(LoadedKey key, Scheme scheme, byte[] ct) {
        try {
            CRYPTO.decrypt(key, scheme, null, ct, null, null);
            return true;
        } catch (KmsError e) {
            return false;
        }
    }
}
