package dev.tresor.kms.key;

import java.util.Optional;

/**
 * How BYOK material is wrapped to a wrapping key: plain RSA-OAEP of the raw material, or RSA-OAEP
 * of an ephemeral AES-256 key followed by AES-KWP (RFC 5649) of the material.
 */
public enum WrappingAlgorithm {
    RSA_2048_OAEP_SHA256("rsa_2048_oaep_sha256", KeyType.RSA_2048, Scheme.RSA_OAEP_SHA256, false),
    RSA_3072_OAEP_SHA256("rsa_3072_oaep_sha256", KeyType.RSA_3072, Scheme.RSA_OAEP_SHA256, false),
    RSA_4096_OAEP_SHA256("rsa_4096_oaep_sha256", KeyType.RSA_4096, Scheme.RSA_OAEP_SHA256, false),
    RSA_4096_OAEP_SHA512("rsa_4096_oaep_sha512", KeyType.RSA_4096, Scheme.RSA_OAEP_SHA512, false),
    RSA_2048_OAEP_SHA256_AES_256_KEY_WRAP("rsa_2048_oaep_sha256_aes_256_key_wrap", KeyType.RSA_2048, Scheme.RSA_OAEP_SHA256, true),
    RSA_3072_OAEP_SHA256_AES_256_KEY_WRAP("rsa_3072_oaep_sha256_aes_256_key_wrap", KeyType.RSA_3072, Scheme.RSA_OAEP_SHA256, true),
    RSA_4096_OAEP_SHA256_AES_256_KEY_WRAP("rsa_4096_oaep_sha256_aes_256_key_wrap", KeyType.RSA_4096, Scheme.RSA_OAEP_SHA256, true),
    RSA_4096_OAEP_SHA512_AES_256_KEY_WRAP("rsa_4096_oaep_sha512_aes_256_key_wrap", KeyType.RSA_4096, Scheme.RSA_OAEP_SHA512, true);

    private final String wireName;
    private final KeyType keyType;
    private final Scheme oaep;
    private final boolean aesKeyWrap;

    WrappingAlgorithm(String wireName, KeyType keyType, Scheme oaep, boolean aesKeyWrap) {
        this.wireName = wireName;
        this.keyType = keyType;
        this.oaep = oaep;
        this.aesKeyWrap = aesKeyWrap;
    }

    public String wireName() {
        return wireName;
    }

    public KeyType keyType() {
        return keyType;
    }

    public Scheme oaep() {
        return oaep;
    }

    /** True for the hybrid form: RSA-OAEP(ephemeral AES-256 key) ‖ AES-KWP(material). */
    public boolean aesKeyWrap() {
        return aesKeyWrap;
    }

    public static Optional<WrappingAlgorithm> fromWire(String name) {
        for (WrappingAlgorithm a : values()) {
            if (a.wireName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
