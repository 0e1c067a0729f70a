package dev.tresor.kms.crypto;

import static dev.tresor.kms.crypto.CryptoRoundTripTest.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import org.junit.jupiter.api.Test;

/** {@link Crypto#load} and {@link LoadedKey#publicOnly} refuse material that does not match its type, and say why. */
class KeyLoadTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final MaterialAccess ACCESS = MaterialAccess.obtain();
    private static final KeyMaterial RSA_2048 = CRYPTO.generate(KeyType.RSA_2048);
    private static final KeyMaterial EC_P384 = CRYPTO.generate(KeyType.EC_P384);

    @Test
    void symmetricMaterialMustHaveTheTypesLength() {
        assertInvalid(() -> CRYPTO.load(KeyType.AES_256, KeyMaterial.copyOf(new byte[16])), "AES_256 material must be 32 bytes, got 16");
        assertInvalid(() -> CRYPTO.load(KeyType.AES_128, KeyMaterial.copyOf(new byte[17])), "must be 16 bytes, got 17");
        assertInvalid(() -> CRYPTO.load(KeyType.HMAC_SHA256, KeyMaterial.copyOf(new byte[15])), "16 to 256 bytes, got 15");
        assertInvalid(() -> CRYPTO.load(KeyType.HMAC_SHA512, KeyMaterial.copyOf(new byte[257])), "16 to 256 bytes, got 257");
        assertTrue(CRYPTO.load(KeyType.HMAC_SHA512, KeyMaterial.copyOf(new byte[16])).hasPrivate(), "16 bytes is enough");
    }

    @Test
    void asymmetricMaterialMustBePkcs8OfTheRightAlgorithmAndSize() {
        assertInvalid(() -> CRYPTO.load(KeyType.RSA_3072, RSA_2048), "RSA_3072 key must have a 3072-bit modulus, got 2048");
        assertInvalid(() -> CRYPTO.load(KeyType.RSA_2048, EC_P384), "PKCS#8 DER RSA private key");
        assertInvalid(() -> CRYPTO.load(KeyType.EC_P256, EC_P384), "not a key on secp256r1");
        assertInvalid(() -> CRYPTO.load(KeyType.EC_P384, RSA_2048), "PKCS#8 DER EC private key");
        assertInvalid(() -> CRYPTO.load(KeyType.RSA_2048, KeyMaterial.copyOf(CRYPTO.randomBytes(1200))), "PKCS#8");
    }

    @Test
    void rsaKeysWithInconsistentCrtParametersAreRefused() throws GeneralSecurityException {
        RSAPrivateCrtKey k = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(RSA_2048.copyBytes(ACCESS)));
        byte[] broken = KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(k.getModulus(),
                k.getPublicExponent(), k.getPrivateExponent(), k.getPrimeP(), k.getPrimeQ(),
                k.getPrimeExponentP().add(BigInteger.TWO), k.getPrimeExponentQ(), k.getCrtCoefficient())).getEncoded();
        assertInvalid(() -> CRYPTO.load(KeyType.RSA_2048, KeyMaterial.copyOf(broken)), "inconsistent RSA CRT parameters");
    }

    @Test
    void publicKeysMustMatchTheTypeAndLieOnTheCurve() {
        byte[] p384 = CRYPTO.load(KeyType.EC_P384, EC_P384).publicKeyDer().orElseThrow();
        byte[] rsa = CRYPTO.load(KeyType.RSA_2048, RSA_2048).publicKeyDer().orElseThrow();
        assertInvalid(() -> LoadedKey.publicOnly(KeyType.EC_P256, p384), "EC_P256 public key is not on secp256r1");
        assertInvalid(() -> LoadedKey.publicOnly(KeyType.RSA_4096, rsa), "4096-bit modulus, got 2048");
        assertInvalid(() -> LoadedKey.publicOnly(KeyType.EC_P384, rsa), "EC SubjectPublicKeyInfo");
        assertInvalid(() -> LoadedKey.publicOnly(KeyType.AES_256, rsa), "symmetric key type");
        byte[] offCurve = p384.clone();
        offCurve[offCurve.length - 1] ^= 1;
        assertInvalid(() -> LoadedKey.publicOnly(KeyType.EC_P384, offCurve), "not a valid point on secp384r1");
        assertEquals(KeyType.EC_P384, LoadedKey.publicOnly(KeyType.EC_P384, p384).type());
    }
}
