package dev.tresor.kms.crypto;

import static dev.tresor.kms.crypto.CryptoRoundTripTest.assertDecryptionFailed;
import static dev.tresor.kms.crypto.CryptoRoundTripTest.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** BYOK: material wrapped by a customer with plain JDK calls comes back out of both unwrap forms. */
class ByokUnwrapTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final MaterialAccess ACCESS = MaterialAccess.obtain();
    private static final LoadedKey WRAPPING = CRYPTO.load(KeyType.RSA_3072, CRYPTO.generate(KeyType.RSA_3072));

    @Test
    void rsaOaepWrappedMaterialUnwraps() throws GeneralSecurityException {
        byte[] aesKey = CRYPTO.randomBytes(32);
        byte[] wrapped = oaep(WRAPPING, "SHA-256", MGF1ParameterSpec.SHA256, aesKey);
        KeyMaterial material = CRYPTO.unwrapRsaOaep(WRAPPING, Scheme.RSA_OAEP_SHA256, wrapped);
        assertArrayEquals(aesKey, material.copyBytes(ACCESS));
        CRYPTO.load(KeyType.AES_256, material);
    }

    @Test
    void rsaOaepWithADifferentMgfHashDoesNotUnwrap() throws GeneralSecurityException {
        byte[] wrapped = oaep(WRAPPING, "SHA-256", MGF1ParameterSpec.SHA1, CRYPTO.randomBytes(32));
        assertDecryptionFailed(() -> CRYPTO.unwrapRsaOaep(WRAPPING, Scheme.RSA_OAEP_SHA256, wrapped));
    }

    @Test
    void rsaAesKeyWrappedPrivateKeyUnwrapsAndLoads() throws GeneralSecurityException {
        byte[] pkcs8 = CRYPTO.generate(KeyType.EC_P384).copyBytes(ACCESS);
        byte[] wrapped = hybrid(pkcs8, CRYPTO.randomBytes(32));
        KeyMaterial material = CRYPTO.unwrapRsaAesKeyWrap(WRAPPING, Scheme.RSA_OAEP_SHA256, wrapped);
        assertArrayEquals(pkcs8, material.copyBytes(ACCESS));
        assertTrue(CRYPTO.load(KeyType.EC_P384, material).hasPrivate());
    }

    @Test
    void tamperedOrMisshapenHybridWrapsFailGenerically() throws GeneralSecurityException {
        byte[] wrapped = hybrid(CRYPTO.randomBytes(32), CRYPTO.randomBytes(32));
        byte[] tamperedKwp = wrapped.clone();
        tamperedKwp[wrapped.length - 1] ^= 1;
        byte[] tamperedRsa = wrapped.clone();
        tamperedRsa[10] ^= 1;
        for (byte[] bad : new byte[][] {tamperedKwp, tamperedRsa, Arrays.copyOf(wrapped, 384 + 8), Arrays.copyOf(wrapped, 300)}) {
            assertDecryptionFailed(() -> CRYPTO.unwrapRsaAesKeyWrap(WRAPPING, Scheme.RSA_OAEP_SHA256, bad));
        }
        byte[] aes128Ephemeral = hybrid(CRYPTO.randomBytes(32), CRYPTO.randomBytes(16));
        assertDecryptionFailed(() -> CRYPTO.unwrapRsaAesKeyWrap(WRAPPING, Scheme.RSA_OAEP_SHA256, aes128Ephemeral));
    }

    @Test
    void unwrappingNeedsAnOaepSchemeOnAnRsaKey() {
        assertInvalid(() -> CRYPTO.unwrapRsaOaep(WRAPPING, Scheme.RSA_PSS_SHA256, new byte[384]), "not RSA-OAEP");
        LoadedKey aes = CRYPTO.load(KeyType.AES_256, CRYPTO.generate(KeyType.AES_256));
        assertInvalid(() -> CRYPTO.unwrapRsaAesKeyWrap(aes, Scheme.RSA_OAEP_SHA256, new byte[400]), "not RSA-OAEP");
    }

    /** What a customer does for form 2 (CKM_RSA_AES_KEY_WRAP): OAEP the ephemeral key, KWP the material. */
    private static byte[] hybrid(byte[] material, byte[] ephemeral) throws GeneralSecurityException {
        byte[] head = oaep(WRAPPING, "SHA-256", MGF1ParameterSpec.SHA256, ephemeral);
        Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
        kwp.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(ephemeral, "AES"));
        byte[] tail = kwp.doFinal(material);
        byte[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    private static byte[] oaep(LoadedKey key, String hash, MGF1ParameterSpec mgf, byte[] plaintext) throws GeneralSecurityException {
        PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(key.publicKeyDer().orElseThrow()));
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec(hash, "MGF1", mgf, PSource.PSpecified.DEFAULT));
        return cipher.doFinal(plaintext);
    }
}
