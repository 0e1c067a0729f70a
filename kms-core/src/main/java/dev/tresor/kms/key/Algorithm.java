package dev.tresor.kms.key;

import java.util.Optional;

/**
 * A REST algorithm value: a key type and the one scheme it pins, valid with one purpose. The first
 * eleven are STACKIT's enum; the RSA signing values are Tresor extensions (STACKIT has none).
 */
public enum Algorithm {
    AES_256_GCM("aes_256_gcm", KeyType.AES_256, Scheme.AES_GCM, Purpose.SYMMETRIC_ENCRYPT_DECRYPT),
    RSA_2048_OAEP_SHA256("rsa_2048_oaep_sha256", KeyType.RSA_2048, Scheme.RSA_OAEP_SHA256, Purpose.ASYMMETRIC_ENCRYPT_DECRYPT),
    RSA_3072_OAEP_SHA256("rsa_3072_oaep_sha256", KeyType.RSA_3072, Scheme.RSA_OAEP_SHA256, Purpose.ASYMMETRIC_ENCRYPT_DECRYPT),
    RSA_4096_OAEP_SHA256("rsa_4096_oaep_sha256", KeyType.RSA_4096, Scheme.RSA_OAEP_SHA256, Purpose.ASYMMETRIC_ENCRYPT_DECRYPT),
    RSA_4096_OAEP_SHA512("rsa_4096_oaep_sha512", KeyType.RSA_4096, Scheme.RSA_OAEP_SHA512, Purpose.ASYMMETRIC_ENCRYPT_DECRYPT),
    HMAC_SHA256("hmac_sha256", KeyType.HMAC_SHA256, Scheme.HMAC_SHA256, Purpose.MESSAGE_AUTHENTICATION_CODE),
    HMAC_SHA384("hmac_sha384", KeyType.HMAC_SHA384, Scheme.HMAC_SHA384, Purpose.MESSAGE_AUTHENTICATION_CODE),
    HMAC_SHA512("hmac_sha512", KeyType.HMAC_SHA512, Scheme.HMAC_SHA512, Purpose.MESSAGE_AUTHENTICATION_CODE),
    ECDSA_P256_SHA256("ecdsa_p256_sha256", KeyType.EC_P256, Scheme.ECDSA_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY),
    ECDSA_P384_SHA384("ecdsa_p384_sha384", KeyType.EC_P384, Scheme.ECDSA_SHA384, Purpose.ASYMMETRIC_SIGN_VERIFY),
    ECDSA_P521_SHA512("ecdsa_p521_sha512", KeyType.EC_P521, Scheme.ECDSA_SHA512, Purpose.ASYMMETRIC_SIGN_VERIFY),
    RSA_2048_PSS_SHA256("rsa_2048_pss_sha256", KeyType.RSA_2048, Scheme.RSA_PSS_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY),
    RSA_3072_PSS_SHA256("rsa_3072_pss_sha256", KeyType.RSA_3072, Scheme.RSA_PSS_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY),
    RSA_4096_PSS_SHA256("rsa_4096_pss_sha256", KeyType.RSA_4096, Scheme.RSA_PSS_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY),
    RSA_2048_PKCS1_SHA256("rsa_2048_pkcs1_sha256", KeyType.RSA_2048, Scheme.RSA_PKCS1_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY),
    RSA_3072_PKCS1_SHA256("rsa_3072_pkcs1_sha256", KeyType.RSA_3072, Scheme.RSA_PKCS1_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY),
    RSA_4096_PKCS1_SHA256("rsa_4096_pkcs1_sha256", KeyType.RSA_4096, Scheme.RSA_PKCS1_SHA256, Purpose.ASYMMETRIC_SIGN_VERIFY);

    private final String wireName;
    private final KeyType keyType;
    private final Scheme scheme;
    private final Purpose purpose;

    Algorithm(String wireName, KeyType keyType, Scheme scheme, Purpose purpose) {
        this.wireName = wireName;
        this.keyType = keyType;
        this.scheme = scheme;
        this.purpose = purpose;
    }

    public String wireName() {
        return wireName;
    }

    public KeyType keyType() {
        return keyType;
    }

    public Scheme scheme() {
        return scheme;
    }

    public Purpose purpose() {
        return purpose;
    }

    public static Optional<Algorithm> fromWire(String name) {
        for (Algorithm a : values()) {
            if (a.wireName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
