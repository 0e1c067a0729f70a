package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;

/**
 * The cipher parameters PKCS#11 clients pass (PKCS11.md section 3): AES-GCM tags cut to 12 to 15
 * bytes, AES-GCM over empty data, and the RSA-OAEP label, each checked against the JDK.
 */
class CipherParametersTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final byte[] IV = new byte[12];
    private static final byte[] AAD = "volume-1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PLAINTEXT = "a data key".getBytes(StandardCharsets.US_ASCII);

    private static LoadedKey key(KeyType type) {
        return CRYPTO.load(type, CRYPTO.generate(type));
    }

    @Test
    void aGcmTagCutToTwelveToFifteenBytesStillAuthenticatesAndShorterOnesAreRefused() {
        LoadedKey aes = key(KeyType.AES_256);
        CipherOutput sealed = CRYPTO.encrypt(aes, Scheme.AES_GCM, PLAINTEXT, IV, AAD);
        for (int length = 12; length <= 16; length++) {
            byte[] tag = Arrays.copyOf(sealed.tag(), length);
            assertArrayEquals(PLAINTEXT, CRYPTO.decrypt(aes, Scheme.AES_GCM, IV, sealed.ciphertext(), tag, AAD));
            tag[length - 1] ^= 1;
            KmsError forged = assertThrows(KmsError.class,
                    () -> CRYPTO.decrypt(aes, Scheme.AES_GCM, IV, sealed.ciphertext(), tag, AAD));
            assertTrue(forged.isDecryptionFailure());
        }
        byte[] eleven = Arrays.copyOf(sealed.tag(), 11);
        assertTrue(assertThrows(KmsError.class,
                () -> CRYPTO.decrypt(aes, Scheme.AES_GCM, IV, sealed.ciphertext(), eleven, AAD)).isDecryptionFailure());
    }

    @Test
    void gcmOverEmptyDataIsATagOverTheAssociatedData() throws Exception {
        LoadedKey aes = key(KeyType.AES_256);
        CipherOutput sealed = CRYPTO.encrypt(aes, Scheme.AES_GCM, new byte[0], IV, AAD);
        assertEquals(0, sealed.ciphertext().length);
        assertEquals(16, sealed.tag().length);
        assertEquals(0, CRYPTO.decrypt(aes, Scheme.AES_GCM, IV, new byte[0], sealed.tag(), AAD).length);
        assertThrows(KmsError.class, () -> CRYPTO.decrypt(aes, Scheme.AES_GCM, IV, new byte[0], sealed.tag(),
                "volume-2".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theOaepLabelIsTheAssociatedDataOfRsaAndTheJdkAgrees() throws Exception {
        LoadedKey rsa = key(KeyType.RSA_2048);
        byte[] label = "tenant-a".getBytes(StandardCharsets.US_ASCII);
        PublicKey jdkKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                rsa.publicKey().getEncoded()));
        Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
        jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                new PSource.PSpecified(label)));
        byte[] fromJdk = jdk.doFinal(PLAINTEXT);
        assertArrayEquals(PLAINTEXT, CRYPTO.decrypt(rsa, Scheme.RSA_OAEP_SHA256, null, fromJdk, null, label));
        assertTrue(assertThrows(KmsError.class,
                () -> CRYPTO.decrypt(rsa, Scheme.RSA_OAEP_SHA256, null, fromJdk, null, null)).isDecryptionFailure());

        byte[] fromTresor = CRYPTO.encrypt(rsa, Scheme.RSA_OAEP_SHA256, PLAINTEXT, null, label).ciphertext();
        jdk.init(Cipher.DECRYPT_MODE, rsa.privateKey(), new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, new PSource.PSpecified(label)));
        assertArrayEquals(PLAINTEXT, jdk.doFinal(fromTresor));
    }
}
