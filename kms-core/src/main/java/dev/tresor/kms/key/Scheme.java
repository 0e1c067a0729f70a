package dev.tresor.kms.key;

/**
 * The full parameters of one cryptographic operation, chosen per call within what the key's type
 * allows. Every parameter is explicit: RSA-OAEP's MGF1 hash is the OAEP hash unless the scheme
 * names another ({@code RSA_OAEP_<hash>_MGF1_<hash>}, which KMIP clients may select), the label
 * empty; RSA-PSS's salt is the hash length.
 */
public enum Scheme {
    AES_GCM(KeyType.Family.AES, Operation.CIPHER, null),
    AES_CBC_PKCS7(KeyType.Family.AES, Operation.CIPHER, null),
    AES_CBC_NO_PADDING(KeyType.Family.AES, Operation.CIPHER, null),
    AES_ECB_NO_PADDING(KeyType.Family.AES, Operation.CIPHER, null),
    AES_ECB_PKCS7(KeyType.Family.AES, Operation.CIPHER, null),
    /** RFC 3394 AES key wrap. */
    AES_KEY_WRAP(KeyType.Family.AES, Operation.CIPHER, null),
    /** RFC 5649 AES key wrap with padding. */
    AES_KEY_WRAP_PAD(KeyType.Family.AES, Operation.CIPHER, null),
    RSA_OAEP_SHA1(KeyType.Family.RSA, Operation.CIPHER, "SHA-1"),
    RSA_OAEP_SHA256(KeyType.Family.RSA, Operation.CIPHER, "SHA-256"),
    RSA_OAEP_SHA384(KeyType.Family.RSA, Operation.CIPHER, "SHA-384"),
    RSA_OAEP_SHA512(KeyType.Family.RSA, Operation.CIPHER, "SHA-512"),
    RSA_OAEP_SHA1_MGF1_SHA256(KeyType.Family.RSA, Operation.CIPHER, "SHA-1", "SHA-256"),
    RSA_OAEP_SHA1_MGF1_SHA384(KeyType.Family.RSA, Operation.CIPHER, "SHA-1", "SHA-384"),
    RSA_OAEP_SHA1_MGF1_SHA512(KeyType.Family.RSA, Operation.CIPHER, "SHA-1", "SHA-512"),
    RSA_OAEP_SHA256_MGF1_SHA1(KeyType.Family.RSA, Operation.CIPHER, "SHA-256", "SHA-1"),
    RSA_OAEP_SHA256_MGF1_SHA384(KeyType.Family.RSA, Operation.CIPHER, "SHA-256", "SHA-384"),
    RSA_OAEP_SHA256_MGF1_SHA512(KeyType.Family.RSA, Operation.CIPHER, "SHA-256", "SHA-512"),
    RSA_OAEP_SHA384_MGF1_SHA1(KeyType.Family.RSA, Operation.CIPHER, "SHA-384", "SHA-1"),
    RSA_OAEP_SHA384_MGF1_SHA256(KeyType.Family.RSA, Operation.CIPHER, "SHA-384", "SHA-256"),
    RSA_OAEP_SHA384_MGF1_SHA512(KeyType.Family.RSA, Operation.CIPHER, "SHA-384", "SHA-512"),
    RSA_OAEP_SHA512_MGF1_SHA1(KeyType.Family.RSA, Operation.CIPHER, "SHA-512", "SHA-1"),
    RSA_OAEP_SHA512_MGF1_SHA256(KeyType.Family.RSA, Operation.CIPHER, "SHA-512", "SHA-256"),
    RSA_OAEP_SHA512_MGF1_SHA384(KeyType.Family.RSA, Operation.CIPHER, "SHA-512", "SHA-384"),
    /** Verify only: legacy signatures are checked, never made. */
    RSA_PSS_SHA1(KeyType.Family.RSA, Operation.SIGNATURE, "SHA-1"),
    RSA_PSS_SHA256(KeyType.Family.RSA, Operation.SIGNATURE, "SHA-256"),
    RSA_PSS_SHA384(KeyType.Family.RSA, Operation.SIGNATURE, "SHA-384"),
    RSA_PSS_SHA512(KeyType.Family.RSA, Operation.SIGNATURE, "SHA-512"),
    RSA_PKCS1_SHA256(KeyType.Family.RSA, Operation.SIGNATURE, "SHA-256"),
    RSA_PKCS1_SHA384(KeyType.Family.RSA, Operation.SIGNATURE, "SHA-384"),
    RSA_PKCS1_SHA512(KeyType.Family.RSA, Operation.SIGNATURE, "SHA-512"),
    ECDSA_SHA256(KeyType.Family.EC, Operation.SIGNATURE, "SHA-256"),
    ECDSA_SHA384(KeyType.Family.EC, Operation.SIGNATURE, "SHA-384"),
    ECDSA_SHA512(KeyType.Family.EC, Operation.SIGNATURE, "SHA-512"),
    HMAC_SHA256(KeyType.Family.HMAC, Operation.MAC, "SHA-256"),
    HMAC_SHA384(KeyType.Family.HMAC, Operation.MAC, "SHA-384"),
    HMAC_SHA512(KeyType.Family.HMAC, Operation.MAC, "SHA-512"),
    /** The bare ChaCha20 stream cipher (RFC 8439 section 2.4): no integrity; a CHACHA20 key only. */
    CHACHA20(KeyType.Family.CHACHA20, Operation.CIPHER, null),
    /** The ChaCha20-Poly1305 AEAD (RFC 8439 section 2.8); a CHACHA20_POLY1305 key only. */
    CHACHA20_POLY1305(KeyType.Family.CHACHA20, Operation.CIPHER, null);

    /** The full tag of the AEAD schemes (AES-GCM, ChaCha20-Poly1305), in bytes. */
    public static final int AEAD_TAG_BYTES = 16;
    /**
     * The shortest tag an AEAD scheme makes or checks (its leading bytes, NIST SP 800-38D MSB_t),
     * as PKCS#11 and KMIP Tag Length may ask; shorter tags are too easy to forge.
     */
    public static final int MIN_AEAD_TAG_BYTES = 12;

    /** The kind of operation a scheme performs. */
    public enum Operation { CIPHER, SIGNATURE, MAC }

    private final KeyType.Family family;
    private final Operation operation;
    private final String hash;
    private final String mgf1Hash;

    Scheme(KeyType.Family family, Operation operation, String hash) {
        this(family, operation, hash, hash);
    }

    Scheme(KeyType.Family family, Operation operation, String hash, String mgf1Hash) {
        this.family = family;
        this.operation = operation;
        this.hash = hash;
        this.mgf1Hash = mgf1Hash;
    }

    /** The JCA name of the hash RSA-OAEP's MGF1 uses: the scheme's hash unless the scheme names another. */
    public String mgf1Hash() {
        return mgf1Hash;
    }

    public KeyType.Family family() {
        return family;
    }

    public Operation operation() {
        return operation;
    }

    /** The JCA name of the scheme's hash ({@code SHA-256} ...), or null for AES schemes. */
    public String hash() {
        return hash;
    }

    /** AES-GCM and ChaCha20-Poly1305: a tag authenticates the ciphertext and associated data. */
    public boolean isAead() {
        return this == AES_GCM || this == CHACHA20_POLY1305;
    }

    /** Whether this scheme makes and checks tags of {@code bytes}: an AEAD scheme, 12 to 16 bytes. */
    public boolean takesTagBytes(int bytes) {
        return isAead() && bytes >= MIN_AEAD_TAG_BYTES && bytes <= AEAD_TAG_BYTES;
    }

    /**
     * Whether a key of {@code type} can run this scheme; an HMAC key runs only its own hash, a
     * ChaCha20 key only its own scheme. An AES key's bytes may also key an HMAC (KMIP: a symmetric
     * key whose usages grant MAC and whose parameters name an HMAC algorithm); a pinned algorithm,
     * a missing MAC usage or a cipher usage beside it ({@link Usages#conflict}) still refuses it.
     */
    public boolean fits(KeyType type) {
        if (operation == Operation.MAC && type.family() == KeyType.Family.AES) {
            return true;
        }
        if (type.family() != family) {
            return false;
        }
        if (family == KeyType.Family.CHACHA20) {
            return name().equals(type.name());
        }
        return operation != Operation.MAC || switch (type) {
            case HMAC_SHA256 -> this == HMAC_SHA256;
            case HMAC_SHA384 -> this == HMAC_SHA384;
            default -> this == HMAC_SHA512;
        };
    }
}
