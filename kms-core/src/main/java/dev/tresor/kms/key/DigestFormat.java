package dev.tresor.kms.key;

/**
 * The one encoding each half of each kind of key is described and hashed in (KMIP's Key Format
 * Type and Digest): the raw bytes of an AES or HMAC key, PKCS#1 for both halves of an RSA key,
 * PKCS#8 for an EC private key and X.509 SubjectPublicKeyInfo for an EC public key. The core's
 * digests and the front-ends' format names both come from here, so they cannot drift apart.
 */
public enum DigestFormat {
    RAW, PKCS_1, PKCS_8, X_509;

    public static DigestFormat of(KeyType type, KeyVersion.Half half) {
        if (type.family() == KeyType.Family.RSA) {
            return PKCS_1;
        }
        if (!type.isAsymmetric()) {
            return RAW;
        }
        return half == KeyVersion.Half.MATERIAL ? PKCS_8 : X_509;
    }
}
