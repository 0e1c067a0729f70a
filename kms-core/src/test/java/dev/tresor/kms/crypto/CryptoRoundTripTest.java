package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every key type with every scheme it allows, through generate → load → operation → reverse. */
class CryptoRoundTripTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final Map<KeyType, LoadedKey> KEYS = new EnumMap<>(KeyType.class);

    static synchronized LoadedKey key(KeyType type) {
        return KEYS.computeIfAbsent(type, t -> CRYPTO.load(t, CRYPTO.generate(t)));
    }

    static Stream<Arguments> pairs() {
        return Arrays.stream(KeyType.values()).flatMap(type -> Arrays.stream(Scheme.values())
                .filter(scheme -> allowed(type, scheme)).map(scheme -> Arguments.of(type, scheme)));
    }

    /**
     * An HMAC key type names its hash, so of the HMAC schemes only its own is allowed; SHA-1 PSS
     * only verifies (below).
     */
    private static boolean allowed(KeyType type, Scheme scheme) {
        return scheme.fits(type) && (type.family() != KeyType.Family.HMAC || type.name().equals(scheme.name()))
                && scheme != Scheme.RSA_PSS_SHA1;
    }

    @Test
    void sha1PssVerifiesSignaturesMadeElsewhereWithAnySaltButNeverSigns() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair pair = generator.generateKeyPair();
        LoadedKey key = LoadedKey.publicOnly(pair.getPublic().getEncoded());
        byte[] message = "legacy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int salt : new int[] {0, 20, 222}) {
            java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
            pss.setParameter(new java.security.spec.PSSParameterSpec("SHA-1", "MGF1",
                    java.security.spec.MGF1ParameterSpec.SHA1, salt, 1));
            pss.initSign(pair.getPrivate());
            pss.update(message);
            byte[] signature = pss.sign();
            assertTrue(CRYPTO.verify(key, Scheme.RSA_PSS_SHA1, message, false, signature), "salt " + salt);
            assertFalse(CRYPTO.verify(key, Scheme.RSA_PSS_SHA256, message, false, signature), "another hash");
            signature[signature.length / 2] ^= 1;
            assertFalse(CRYPTO.verify(key, Scheme.RSA_PSS_SHA1, message, false, signature), "tampered, salt " + salt);
        }
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class,
                () -> CRYPTO.sign(key(KeyType.RSA_2048), Scheme.RSA_PSS_SHA1, message, false)).code());
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void everyAllowedSchemeRoundTrips(KeyType type, Scheme scheme) {
        LoadedKey key = key(type);
        switch (scheme.operation()) {
            case CIPHER -> cipherRoundTrip(key, scheme);
            case SIGNATURE -> signatureRoundTrip(key, scheme);
            case MAC -> macRoundTrip(key, scheme);
        }
    }

    private static void cipherRoundTrip(LoadedKey key, Scheme scheme) {
        byte[] plaintext = CRYPTO.randomBytes(plaintextLength(key.type(), scheme));
        CipherOutput out = CRYPTO.encrypt(key, scheme, plaintext, null, null);
        assertEquals(scheme.isAead(), out.tag() != null, "only the AEAD schemes have a separate tag");
        assertArrayEquals(plaintext, CRYPTO.decrypt(key, scheme, out.iv(), out.ciphertext(), out.tag(), null));

        byte[] tampered = out.ciphertext().clone();
        tampered[tampered.length - 1] ^= 1;
        if (scheme == Scheme.AES_CBC_NO_PADDING || scheme == Scheme.AES_ECB_NO_PADDING || scheme == Scheme.AES_CBC_PKCS7
                || scheme == Scheme.AES_ECB_PKCS7 || scheme == Scheme.CHACHA20) {
            assertFalse(decryptsTo(key, scheme, out.iv(), tampered, plaintext), "no integrity, but never the old plaintext");
        } else {
            assertDecryptionFailed(() -> CRYPTO.decrypt(key, scheme, out.iv(), tampered, out.tag(), null));
        }
    }

    private static int plaintextLength(KeyType type, Scheme scheme) {
        return switch (scheme) {
            case AES_CBC_NO_PADDING, AES_ECB_NO_PADDING -> 64;
            case AES_KEY_WRAP -> 32;
            case AES_KEY_WRAP_PAD -> 21;
            default -> scheme.name().startsWith("RSA_OAEP_") ? Crypto.maxOaepPlaintext(type, scheme) : 1000;
        };
    }

    private static boolean decryptsTo(LoadedKey key, Scheme scheme, byte[] iv, byte[] ciphertext, byte[] plaintext) {
        try {
            return Arrays.equals(CRYPTO.decrypt(key, scheme, iv, ciphertext, null, null), plaintext);
        } catch (KmsError e) {
            assertEquals("decryption failed", e.getMessage());
            return false;
        }
    }

    private static void signatureRoundTrip(LoadedKey key, Scheme scheme) {
        byte[] message = CRYPTO.randomBytes(300);
        byte[] digest = CRYPTO.digest(scheme.hash(), message);
        LoadedKey publicOnly = LoadedKey.publicOnly(key.type(), key.publicKeyDer().orElseThrow());
        byte[] signature = CRYPTO.sign(key, scheme, message, false);
        byte[] prehashedSignature = CRYPTO.sign(key, scheme, digest, true);

        assertTrue(CRYPTO.verify(publicOnly, scheme, message, false, signature));
        assertTrue(CRYPTO.verify(publicOnly, scheme, message, false, prehashedSignature), "prehashed signs the same thing");
        assertTrue(CRYPTO.verify(publicOnly, scheme, digest, true, signature));
        assertFalse(CRYPTO.verify(publicOnly, scheme, Arrays.copyOf(message, 299), false, signature));
        byte[] tampered = signature.clone();
        tampered[tampered.length / 2] ^= 1;
        assertFalse(CRYPTO.verify(publicOnly, scheme, message, false, tampered));
        assertFalse(CRYPTO.verify(publicOnly, scheme, message, false, new byte[3]), "malformed is simply false");
        assertInvalid(() -> CRYPTO.sign(key, scheme, Arrays.copyOf(digest, digest.length - 1), true), "digest is");
        assertInvalid(() -> CRYPTO.sign(publicOnly, scheme, message, false), "only a public key");
    }

    private static void macRoundTrip(LoadedKey key, Scheme scheme) {
        byte[] message = CRYPTO.randomBytes(300);
        byte[] tag = CRYPTO.sign(key, scheme, message, false);
        assertEquals(Hash.of(scheme).length(), tag.length);
        assertTrue(CRYPTO.verify(key, scheme, message, false, tag));
        assertFalse(CRYPTO.verify(key, scheme, message, false, Arrays.copyOf(tag, tag.length / 2)), "truncated tags fail");
        tag[0] ^= 1;
        assertFalse(CRYPTO.verify(key, scheme, message, false, tag));
        assertInvalid(() -> CRYPTO.sign(key, scheme, new byte[tag.length], true), "not a digest");
    }

    @Test
    void generatedMaterialHasTheTypesShape() {
        assertEquals(16, CRYPTO.generate(KeyType.AES_128).length());
        assertEquals(24, CRYPTO.generate(KeyType.AES_192).length());
        assertEquals(32, CRYPTO.generate(KeyType.AES_256).length());
        assertEquals(48, CRYPTO.generate(KeyType.HMAC_SHA384).length());
        assertTrue(key(KeyType.RSA_3072).hasPrivate());
        assertTrue(key(KeyType.EC_P521).publicKeyPem().orElseThrow().startsWith("-----BEGIN PUBLIC KEY-----\n"));
    }

    @Test
    void schemesOutsideTheKeysFamilyOrOperationAreRefused() {
        LoadedKey aes = key(KeyType.AES_256);
        LoadedKey ec = key(KeyType.EC_P256);
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.RSA_OAEP_SHA256, new byte[1], null, null), "does not fit");
        assertInvalid(() -> CRYPTO.encrypt(ec, Scheme.ECDSA_SHA256, new byte[1], null, null), "cannot encrypt");
        assertInvalid(() -> CRYPTO.sign(key(KeyType.RSA_2048), Scheme.RSA_OAEP_SHA256, new byte[1], false), "cannot sign");
        assertInvalid(() -> CRYPTO.sign(ec, Scheme.HMAC_SHA256, new byte[1], false), "does not fit");
        assertInvalid(() -> CRYPTO.sign(key(KeyType.HMAC_SHA256), Scheme.HMAC_SHA512, new byte[1], false), "does not fit");
        assertInvalid(() -> Crypto.maxOaepPlaintext(KeyType.RSA_2048, Scheme.RSA_PSS_SHA256), "not RSA-OAEP");
    }

    @Test
    void aesArgumentsAreCheckedBeforeEncrypting() {
        LoadedKey aes = key(KeyType.AES_128);
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.AES_GCM, new byte[1], new byte[7], null), "8 to 128 bytes");
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.AES_CBC_PKCS7, new byte[1], new byte[12], null), "16-byte IV");
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.AES_ECB_NO_PADDING, new byte[16], new byte[16], null), "takes no IV");
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.AES_CBC_NO_PADDING, new byte[15], null, null), "multiple of 16");
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.AES_KEY_WRAP, new byte[8], null, null), "at least 16");
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.AES_KEY_WRAP_PAD, new byte[0], null, null), "at least 1");
        assertInvalid(() -> CRYPTO.encrypt(aes, Scheme.AES_CBC_PKCS7, new byte[1], null, new byte[1]), "associated data");
    }

    @Test
    void callerChosenIvsAreUsedAndReturned() {
        LoadedKey aes = key(KeyType.AES_256);
        byte[] iv = CRYPTO.randomBytes(12);
        byte[] aad = CRYPTO.randomBytes(20);
        CipherOutput first = CRYPTO.encrypt(aes, Scheme.AES_GCM, new byte[40], iv, aad);
        CipherOutput again = CRYPTO.encrypt(aes, Scheme.AES_GCM, new byte[40], iv, aad);
        assertArrayEquals(iv, first.iv());
        assertArrayEquals(first.ciphertext(), again.ciphertext(), "same key, IV and input: same output");
        assertDecryptionFailed(() -> CRYPTO.decrypt(aes, Scheme.AES_GCM, iv, first.ciphertext(), first.tag(), new byte[20]));
        byte[] joined = Arrays.copyOf(first.ciphertext(), 56);
        System.arraycopy(first.tag(), 0, joined, 40, 16);
        assertArrayEquals(new byte[40], CRYPTO.decrypt(aes, Scheme.AES_GCM, iv, joined, null, aad), "tag appended");
    }

    @Test
    void rsaOaepLimitsThePlaintextToKMinus2HLenMinus2() {
        assertEquals(256 - 2 * 32 - 2, Crypto.maxOaepPlaintext(KeyType.RSA_2048, Scheme.RSA_OAEP_SHA256));
        assertEquals(512 - 2 * 64 - 2, Crypto.maxOaepPlaintext(KeyType.RSA_4096, Scheme.RSA_OAEP_SHA512));
        LoadedKey rsa = key(KeyType.RSA_2048);
        assertInvalid(() -> CRYPTO.encrypt(rsa, Scheme.RSA_OAEP_SHA256, new byte[191], null, null), "at most 190");
        assertInvalid(() -> CRYPTO.encrypt(rsa, Scheme.RSA_OAEP_SHA256, new byte[10], new byte[12], null), "no IV");
        CipherOutput out = CRYPTO.encrypt(rsa, Scheme.RSA_OAEP_SHA256, new byte[10], null, null);
        assertNull(out.iv());
        assertDecryptionFailed(() -> CRYPTO.decrypt(rsa, Scheme.RSA_OAEP_SHA384, null, out.ciphertext(), null, null));
        LoadedKey publicOnly = LoadedKey.publicOnly(KeyType.RSA_2048, rsa.publicKeyDer().orElseThrow());
        assertInvalid(() -> CRYPTO.decrypt(publicOnly, Scheme.RSA_OAEP_SHA256, null, out.ciphertext(), null, null),
                "only a public key");
    }

    @Test
    void digestsAndRandomnessCheckTheirArguments() {
        assertEquals(48, CRYPTO.digest("SHA-384", new byte[0]).length);
        assertInvalid(() -> CRYPTO.digest("MD5", new byte[0]), "unsupported hash");
        assertInvalid(() -> CRYPTO.randomBytes(-1), "random length");
        assertInvalid(() -> CRYPTO.randomBytes(Crypto.MAX_RANDOM_BYTES + 1), "random length");
        assertNotNull(CRYPTO.random());
        assertFalse(Arrays.equals(CRYPTO.randomBytes(16), CRYPTO.randomBytes(16)));
    }

    @Test
    void aSeedIsMixedInAndNeverReplacesTheEntropy() {
        Crypto other = new Crypto();
        byte[] seed = new byte[32];
        CRYPTO.reseed(seed);
        other.reseed(seed);
        assertFalse(Arrays.equals(CRYPTO.randomBytes(32), other.randomBytes(32)),
                "two generators given the same seed still differ");
        assertInvalid(() -> CRYPTO.reseed(new byte[0]), "seed length");
        assertInvalid(() -> CRYPTO.reseed(new byte[Crypto.MAX_RANDOM_BYTES + 1]), "seed length");
    }

    static void assertInvalid(Executable call, String messagePart) {
        KmsError e = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), "message '" + e.getMessage() + "' should say '" + messagePart + "'");
    }

    static void assertDecryptionFailed(Executable call) {
        KmsError e = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("decryption failed", e.getMessage());
    }
}
