package dev.tresor.kms.key;

/** The kind and size of key material. Which operations a key may do is decided by its usages. */
public enum KeyType {
    AES_128(Family.AES, 128),
    AES_192(Family.AES, 192),
    AES_256(Family.AES, 256),
    RSA_2048(Family.RSA, 2048),
    RSA_3072(Family.RSA, 3072),
    RSA_4096(Family.RSA, 4096),
    EC_P256(Family.EC, 256),
    EC_P384(Family.EC, 384),
    EC_P521(Family.EC, 521),
    HMAC_SHA256(Family.HMAC, 256),
    HMAC_SHA384(Family.HMAC, 384),
    HMAC_SHA512(Family.HMAC, 512),
    /** A 256-bit ChaCha20 key for the bare stream cipher (RFC 8439 section 2.4). */
    CHACHA20(Family.CHACHA20, 256),
    /** A 256-bit key for the ChaCha20-Poly1305 AEAD (RFC 8439 section 2.8). */
    CHACHA20_POLY1305(Family.CHACHA20, 256);

    public enum Family { AES, RSA, EC, HMAC, CHACHA20 }

    private final Family family;
    private final int bits;

    KeyType(Family family, int bits) {
        this.family = family;
        this.bits = bits;
    }

    public Family family() {
        return family;
    }

    /** Key size in bits: the AES key length, the RSA modulus, the curve's field size, the HMAC hash output. */
    public int bits() {
        return bits;
    }

    public boolean isAsymmetric() {
        return family == Family.RSA || family == Family.EC;
    }

    /** The JCA curve name of an EC key type. */
    public String curveName() {
        return switch (this) {
            case EC_P256 -> "secp256r1";
            case EC_P384 -> "secp384r1";
            case EC_P521 -> "secp521r1";
            default -> throw new IllegalStateException(this + " is not an EC key type");
        };
    }
}
