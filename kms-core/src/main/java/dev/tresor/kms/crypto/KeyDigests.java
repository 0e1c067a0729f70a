package dev.tresor.kms.crypto;

import dev.tresor.kms.key.DigestFormat;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyVersion;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * SHA-256 digests of a key in the one encoding each kind of key is described in
 * ({@link DigestFormat}; KMIP's Digest attribute hashes the Key Value in that format). A digest of
 * a full-strength key tells nothing about the key, so it may outlive it.
 */
public final class KeyDigests {
    private KeyDigests() {
    }

    /** The digest of secret material as the core stores it: raw symmetric bytes, or PKCS#8. */
    public static byte[] ofMaterial(KeyType type, byte[] material) {
        if (DigestFormat.of(type, KeyVersion.Half.MATERIAL) != DigestFormat.PKCS_1) {
            return sha256(material);
        }
        byte[] pkcs1;
        try {
            pkcs1 = PrivateKeyInfo.getInstance(material).parsePrivateKey().toASN1Primitive().getEncoded();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("stored RSA private key is not PKCS#8", e);
        }
        try {
            return sha256(pkcs1);
        } finally {
            Arrays.fill(pkcs1, (byte) 0);
        }
    }

    /** The digest of a public key given as X.509 SubjectPublicKeyInfo DER. */
    public static byte[] ofPublicKey(KeyType type, byte[] spki) {
        if (DigestFormat.of(type, KeyVersion.Half.PUBLIC_KEY) == DigestFormat.X_509) {
            return sha256(spki);
        }
        return sha256(SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getBytes());
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256", Providers.SUN).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
