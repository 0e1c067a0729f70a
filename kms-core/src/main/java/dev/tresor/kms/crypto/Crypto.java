package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;

/**
 * The one entry point to cryptography in Tresor: key generation, loading, ciphers, signatures,
 * MACs, digests and BYOK unwrapping. One instance per server; it owns the DRBG-backed
 * {@link SecureRandom} and is thread-safe. No method holds a lock while it works, so a slow RSA
 * key generation never blocks encryption.
 *
 * <p>Argument errors are {@code INVALID_ARGUMENT} naming the problem. Anything that goes wrong
 * while decrypting or unwrapping data is the one generic {@link KmsError#decryptionFailed()}.
 */
public final class Crypto {
    /** Largest random byte string one call hands out, the same as the message size limit. */
    public static final int MAX_RANDOM_BYTES = 65_536;
    private static final int DRBG_STRENGTH_BITS = 256;
    private static final int BYOK_AES_KEY_BYTES = 32;

    private final SecureRandom random;
    private final SecureRandom nonces;
    private final Drbg drbg;

    /**
     * Creates the DRBG (NIST SP 800-90A, 256-bit strength, seeded by the operating system) and runs
     * the known-answer self-tests.
     *
     * @throws KmsError INTERNAL naming every failed self-test
     */
    public Crypto() {
        try {
            this.random = SecureRandom.getInstance("DRBG", DrbgParameters.instantiation(DRBG_STRENGTH_BITS,
                    DrbgParameters.Capability.RESEED_ONLY, "tresor-kms".getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("no SP 800-90A DRBG with 256-bit strength is available", e);
        }
        this.nonces = NonceRandom.over(random);
        this.drbg = Drbg.of(random);
        SelfTest.run(this, SelfTest.standard());
    }

    public SecureRandom random() {
        return random;
    }

    /**
     * Reseeds the DRBG from its entropy source with {@code input} as additional input (SP 800-90A
     * section 9.2): a caller's seed is mixed into the state and never replaces the entropy.
     */
    public void reseed(byte[] input) {
        if (input.length < 1 || input.length > MAX_RANDOM_BYTES) {
            throw KmsError.invalid("seed length must be 1 to " + MAX_RANDOM_BYTES + " bytes, got " + input.length);
        }
        random.reseed(DrbgParameters.reseed(false, input));
    }

    /** The generator behind {@link #random()}: every key the server makes comes from it. */
    public Drbg drbg() {
        return drbg;
    }

    public byte[] randomBytes(int n) {
        if (n < 0 || n > MAX_RANDOM_BYTES) {
            throw KmsError.invalid("random length must be 0 to " + MAX_RANDOM_BYTES + " bytes, got " + n);
        }
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }

    /** New material for {@code type}: raw bytes for AES and HMAC (the hash length), PKCS#8 DER for RSA and EC. */
    public KeyMaterial generate(KeyType type) {
        return switch (type.family()) {
            case AES, HMAC, CHACHA20 -> KeyMaterial.adopt(randomBytes(type.bits() / 8));
            case RSA -> generatePair(type, "RSA", new RSAKeyGenParameterSpec(type.bits(), RSAKeyGenParameterSpec.F4));
            case EC -> generatePair(type, "EC", new ECGenParameterSpec(type.curveName()));
        };
    }

    private KeyMaterial generatePair(KeyType type, String algorithm, AlgorithmParameterSpec spec) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm,
                    type.family() == KeyType.Family.RSA ? Providers.SUN_RSA_SIGN : Providers.SUN_EC);
            generator.initialize(spec, random);
            return KeyMaterial.adopt(generator.generateKeyPair().getPrivate().getEncoded());
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("generating a " + type + " key failed", e);
        }
    }

    /**
     * Parses and validates material for {@code type} (also for BYOK imports).
     *
     * @throws KmsError INVALID_ARGUMENT for a wrong length, a wrong curve or modulus size, or
     *         material that is not PKCS#8
     */
    public LoadedKey load(KeyType type, KeyMaterial material) {
        return KeyParser.load(type, material);
    }

    /**
     * Encrypts with a CIPHER scheme. AES-GCM draws a 96-bit nonce when {@code ivOrNull} is null
     * and returns the 16-byte tag separately; CBC draws a 16-byte IV; ECB takes none; key wrap
     * uses the RFC default IV unless one is given. ChaCha20 and ChaCha20-Poly1305 draw a 96-bit
     * nonce, the latter returns its 16-byte tag separately. RSA-OAEP needs only the public key and
     * takes no IV; its associated data is the OAEP label (P Source).
     */
    public CipherOutput encrypt(LoadedKey key, Scheme scheme, byte[] plaintext, byte[] ivOrNull, byte[] aadOrNull) {
        requireOperation(key, scheme, Scheme.Operation.CIPHER, "encrypt");
        if (key.type().family() == KeyType.Family.AES) {
            return AesCipher.encrypt(key.secretKey(), scheme, plaintext, ivOrNull, aadOrNull, nonces);
        }
        if (key.type().family() == KeyType.Family.CHACHA20) {
            return ChaChaCipher.encrypt(key.secretKey(), scheme, plaintext, ivOrNull, aadOrNull, nonces);
        }
        if (ivOrNull != null) {
            throw KmsError.invalid(scheme + " takes no IV");
        }
        return new CipherOutput(null, RsaOaep.encrypt(key.type(), key.publicKey(), scheme, plaintext, aadOrNull, random),
                null);
    }

    /**
     * Starts an encryption fed in parts: AES-GCM or ChaCha20-Poly1305, IV or nonce as for
     * {@link #encrypt}, the associated data given now.
     */
    public CipherStream startEncryption(LoadedKey key, Scheme scheme, byte[] ivOrNull, byte[] aadOrNull) {
        requireOperation(key, scheme, Scheme.Operation.CIPHER, "encrypt");
        return switch (scheme) {
            case AES_GCM -> AesCipher.start(key.secretKey(), ivOrNull, aadOrNull, nonces);
            case CHACHA20_POLY1305 -> ChaChaCipher.start(key.secretKey(), ivOrNull, aadOrNull, nonces);
            default -> throw KmsError.invalid("encryption in parts is offered for AES_GCM and CHACHA20_POLY1305, not "
                    + scheme);
        };
    }

    /**
     * Decrypts with a CIPHER scheme. For AES-GCM and ChaCha20-Poly1305, a null {@code tagOrNull}
     * means a 16-byte tag is appended to the ciphertext; a tag given apart may be 12 to 16 bytes.
     * For RSA-OAEP the associated data is the label.
     *
     * @throws KmsError the generic "decryption failed" for every problem with the data
     */
    public byte[] decrypt(LoadedKey key, Scheme scheme, byte[] iv, byte[] ciphertext, byte[] tagOrNull, byte[] aadOrNull) {
        requireOperation(key, scheme, Scheme.Operation.CIPHER, "decrypt");
        if (key.type().family() == KeyType.Family.AES) {
            return AesCipher.decrypt(key.secretKey(), scheme, iv, ciphertext, tagOrNull, aadOrNull);
        }
        if (key.type().family() == KeyType.Family.CHACHA20) {
            return ChaChaCipher.decrypt(key.secretKey(), scheme, iv, ciphertext, tagOrNull, aadOrNull);
        }
        if (iv != null || tagOrNull != null) {
            throw KmsError.decryptionFailed();
        }
        return RsaOaep.decrypt(key.privateKey(), scheme, ciphertext, aadOrNull, random);
    }

    /**
     * AES-256-GCM into a {@link CiphertextEnvelope} naming {@code version}; the associated data is
     * the envelope header followed by {@code aadOrNull}.
     */
    public byte[] encryptEnvelope(LoadedKey key, long version, byte[] plaintext, byte[] aadOrNull) {
        requireEnvelopeKey(key);
        byte[] out = new byte[CiphertextEnvelope.overhead() + plaintext.length];
        CiphertextEnvelope.writeHeader(out, version);
        byte[] nonce = new byte[AesCipher.GCM_NONCE_BYTES];
        nonces.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, CiphertextEnvelope.NONCE_OFFSET, nonce.length);
        AesCipher.gcmEncryptInto(key.secretKey(), nonce, out, CiphertextEnvelope.HEADER_BYTES, aadOrNull,
                plaintext, out, CiphertextEnvelope.BODY_OFFSET);
        return out;
    }

    /** Decrypts an envelope; the caller has already chosen {@code key} by {@link CiphertextEnvelope.Parsed#version()}. */
    public byte[] decryptEnvelope(LoadedKey key, CiphertextEnvelope.Parsed parsed, byte[] aadOrNull) {
        requireEnvelopeKey(key);
        byte[] env = parsed.bytes();
        byte[] nonce = Arrays.copyOfRange(env, CiphertextEnvelope.NONCE_OFFSET, CiphertextEnvelope.BODY_OFFSET);
        return AesCipher.gcmDecrypt(key.secretKey(), nonce, env, CiphertextEnvelope.HEADER_BYTES, aadOrNull,
                env, CiphertextEnvelope.BODY_OFFSET, env.length - CiphertextEnvelope.BODY_OFFSET);
    }

    /**
     * Signs or MACs {@code data}. With {@code prehashed}, {@code data} is the digest of the
     * scheme's hash and must have its length (not allowed for HMAC).
     */
    public byte[] sign(LoadedKey key, Scheme scheme, byte[] data, boolean prehashed) {
        requireSigning(key, scheme, "sign");
        return Signatures.sign(key, scheme, data, prehashed, random);
    }

    /** True only for a valid signature or MAC; a malformed signature is simply false. HMAC tags compare in constant time. */
    public boolean verify(LoadedKey key, Scheme scheme, byte[] data, boolean prehashed, byte[] signature) {
        return verify(key, scheme, data, prehashed, signature, PssSalt.ANY);
    }

    /** As the verify above, accepting only the RSA-PSS salt lengths {@code salt} allows. */
    public boolean verify(LoadedKey key, Scheme scheme, byte[] data, boolean prehashed, byte[] signature, PssSalt salt) {
        requireSigning(key, scheme, "verify");
        return Signatures.verify(key, scheme, data, prehashed, signature, salt);
    }

    /** The digest of {@code data} with SHA-1, SHA-256, SHA-384 or SHA-512 (JCA names). */
    public byte[] digest(String jcaHash, byte[] data) {
        try {
            return MessageDigest.getInstance(Hash.named(jcaHash).jcaName(), Providers.SUN).digest(data);
        } catch (GeneralSecurityException e) {
            throw KmsError.internal(jcaHash + " is not available", e);
        }
    }

    /** The longest plaintext RSA-OAEP takes with this key type and scheme: k - 2 hLen - 2. */
    public static int maxOaepPlaintext(KeyType type, Scheme scheme) {
        requireOaep(type, scheme);
        return RsaOaep.maxPlaintext(type, scheme);
    }

    /** BYOK form 1: {@code wrapped} is the RSA-OAEP encryption of the raw material. */
    public KeyMaterial unwrapRsaOaep(LoadedKey rsaPrivate, Scheme oaep, byte[] wrapped) {
        requireOaep(rsaPrivate.type(), oaep);
        byte[] material = RsaOaep.decrypt(rsaPrivate.privateKey(), oaep, wrapped, random);
        if (material.length == 0) {
            throw KmsError.decryptionFailed();
        }
        return KeyMaterial.adopt(material);
    }

    /**
     * BYOK form 2 (PKCS#11 CKM_RSA_AES_KEY_WRAP): {@code wrapped} is RSA-OAEP(ephemeral AES-256
     * key) followed by AES-KWP (RFC 5649) of the material under that key; it splits at the modulus
     * length.
     */
    public KeyMaterial unwrapRsaAesKeyWrap(LoadedKey rsaPrivate, Scheme oaep, byte[] wrapped) {
        requireOaep(rsaPrivate.type(), oaep);
        int k = rsaPrivate.type().bits() / 8;
        if (wrapped.length < k + 2 * 8) {
            throw KmsError.decryptionFailed();
        }
        byte[] aesKey = RsaOaep.decrypt(rsaPrivate.privateKey(), oaep, Arrays.copyOf(wrapped, k), random);
        SecretKeyHandle kek = null;
        try {
            if (aesKey.length != BYOK_AES_KEY_BYTES) {
                throw KmsError.decryptionFailed();
            }
            kek = new SecretKeyHandle("AES", aesKey);
            return KeyMaterial.adopt(AesCipher.decrypt(kek, Scheme.AES_KEY_WRAP_PAD, null,
                    Arrays.copyOfRange(wrapped, k, wrapped.length), null, null));
        } finally {
            Arrays.fill(aesKey, (byte) 0);
            if (kek != null) {
                kek.destroy();
            }
        }
    }

    private static void requireFit(LoadedKey key, Scheme scheme) {
        if (!scheme.fits(key.type())) {
            throw KmsError.invalid("scheme " + scheme + " does not fit a " + key.type() + " key");
        }
    }

    private static void requireOperation(LoadedKey key, Scheme scheme, Scheme.Operation operation, String verb) {
        requireFit(key, scheme);
        if (scheme.operation() != operation) {
            throw KmsError.invalid("scheme " + scheme + " cannot " + verb);
        }
    }

    private static void requireSigning(LoadedKey key, Scheme scheme, String verb) {
        requireFit(key, scheme);
        if (scheme.operation() == Scheme.Operation.CIPHER) {
            throw KmsError.invalid("scheme " + scheme + " cannot " + verb);
        }
    }

    private static void requireOaep(KeyType type, Scheme scheme) {
        if (type.family() != KeyType.Family.RSA || scheme.family() != KeyType.Family.RSA
                || scheme.operation() != Scheme.Operation.CIPHER) {
            throw KmsError.invalid(scheme + " with " + type + " is not RSA-OAEP");
        }
    }

    private static void requireEnvelopeKey(LoadedKey key) {
        if (key.type() != KeyType.AES_256) {
            throw KmsError.invalid("the Tresor ciphertext format is AES-256-GCM; a " + key.type() + " key cannot use it");
        }
    }
}
