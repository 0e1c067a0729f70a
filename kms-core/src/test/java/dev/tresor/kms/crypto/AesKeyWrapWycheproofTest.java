package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * RFC 3394 key wrap ({@code aes_wrap_test.json}) and RFC 5649 key wrap with padding
 * ({@code aes_kwp_test.json}). Policy for the three {@code acceptable} KW cases (wrapping an
 * 8-byte key, flag ShortKey): rejected, since RFC 3394 wraps at least two 64-bit blocks.
 */
class AesKeyWrapWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void rfc3394VectorsWrapAndUnwrap() {
        check("aes_wrap_test.json", Scheme.AES_KEY_WRAP);
    }

    @Test
    void rfc5649VectorsWrapAndUnwrap() {
        check("aes_kwp_test.json", Scheme.AES_KEY_WRAP_PAD);
    }

    private static void check(String file, Scheme scheme) {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        for (WycheproofVectors.Case c : WycheproofVectors.cases(file)) {
            LoadedKey key = CRYPTO.load(AesGcmWycheproofTest.aesType(c.groupInt("keySize")), KeyMaterial.copyOf(c.bytes("key")));
            report.expect(c, unwraps(key, scheme, c));
            if (c.valid()) {
                byte[] wrapped = CRYPTO.encrypt(key, scheme, c.bytes("msg"), null, null).ciphertext();
                if (!Arrays.equals(wrapped, c.bytes("ct"))) {
                    report.problem(c, "wrapping gave another ciphertext");
                }
            }
        }
        report.assertClean(150);
    }

    private static boolean unwraps(LoadedKey key, Scheme scheme, WycheproofVectors.Case c) {
        try {
            return Arrays.equals(CRYPTO.decrypt(key, scheme, null, c.bytes("ct"), null, null), c.bytes("msg"));
        } catch (KmsError e) {
            assertEquals("decryption failed", e.getMessage(), c + ": not the generic decryption error");
            return false;
        }
    }
}
