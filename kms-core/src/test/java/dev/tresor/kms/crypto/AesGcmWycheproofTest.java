package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * AES-GCM against {@code aes_gcm_test.json}. Tresor takes IVs of 64 to 1024 bits (96 is the norm)
 * and 128-bit tags here, so every case with a shorter or longer IV is a must-reject case, valid or
 * not (the file has no other tag size). Every other case goes through {@link Crypto#encrypt} and
 * {@link Crypto#decrypt}.
 */
class AesGcmWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void everyVectorIsAcceptedOrRejectedAsTresorPromises() {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        for (WycheproofVectors.Case c : WycheproofVectors.cases("aes_gcm_test.json")) {
            LoadedKey key = CRYPTO.load(aesType(c.groupInt("keySize")), KeyMaterial.copyOf(c.bytes("key")));
            byte[] iv = c.bytes("iv");
            boolean decrypted = decrypts(key, c);
            int ivBits = c.groupInt("ivSize");
            if (ivBits < 64 || ivBits > 1024 || c.groupInt("tagSize") != 128) {
                report.mustReject(c, decrypted, "Tresor takes GCM IVs of 64 to 1024 bits and 128-bit tags here");
                if (encryptAccepts(key, c.bytes("msg"), iv, c.bytes("aad"))) {
                    report.problem(c, "encrypt accepted a " + iv.length + "-byte IV");
                }
                continue;
            }
            report.expect(c, decrypted);
            if (c.valid()) {
                CipherOutput out = CRYPTO.encrypt(key, Scheme.AES_GCM, c.bytes("msg"), iv, c.bytes("aad"));
                if (!Arrays.equals(out.ciphertext(), c.bytes("ct")) || !Arrays.equals(out.tag(), c.bytes("tag"))) {
                    report.problem(c, "encryption gave another ciphertext or tag");
                }
            }
        }
        report.assertClean(200);
    }

    private static boolean decrypts(LoadedKey key, WycheproofVectors.Case c) {
        try {
            byte[] plaintext = CRYPTO.decrypt(key, Scheme.AES_GCM, c.bytes("iv"), c.bytes("ct"), c.bytes("tag"), c.bytes("aad"));
            return Arrays.equals(plaintext, c.bytes("msg"));
        } catch (KmsError e) {
            assertEquals("decryption failed", e.getMessage(), c + ": not the generic decryption error");
            return false;
        }
    }

    private static boolean encryptAccepts(LoadedKey key, byte[] msg, byte[] iv, byte[] aad) {
        try {
            CRYPTO.encrypt(key, Scheme.AES_GCM, msg, iv, aad);
            return true;
        } catch (KmsError e) {
            return false;
        }
    }

    static KeyType aesType(int bits) {
        return switch (bits) {
            case 128 -> KeyType.AES_128;
            case 192 -> KeyType.AES_192;
            case 256 -> KeyType.AES_256;
            default -> throw new AssertionError("no AES key type of " + bits + " bits");
        };
    }
}
