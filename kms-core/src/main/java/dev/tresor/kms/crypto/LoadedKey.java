package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.service.KmsError;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * Key material parsed and validated once, holding the JCA key objects so that an operation is
 * just a cipher call. Built by {@link Crypto#load} or {@link #publicOnly}; thread-safe.
 *
 * <p>{@link #destroy()} zeroes the raw AES/HMAC bytes. JCA RSA and EC private keys keep their
 * numbers in immutable {@code BigInteger}s that cannot be zeroed; destroy drops our references to
 * them. Using a destroyed key fails with {@code FAILED_PRECONDITION} instead of using a zeroed key.
 */
public final class LoadedKey {
    private final KeyType type;
    private final SecretKeyHandle secret;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private volatile boolean destroyed;

    private LoadedKey(KeyType type, SecretKeyHandle secret, PrivateKey privateKey, PublicKey publicKey) {
        this.type = type;
        this.secret = secret;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    static LoadedKey secret(KeyType type, SecretKeyHandle secret) {
        return new LoadedKey(type, secret, null, null);
    }

    static LoadedKey pair(KeyType type, PrivateKey privateKey, PublicKey publicKey) {
        return new LoadedKey(type, null, Objects.requireNonNull(privateKey), Objects.requireNonNull(publicKey));
    }

    /**
     * A key holding only an imported public key (X.509 SubjectPublicKeyInfo DER), for verify and
     * RSA-OAEP encrypt.
     *
     * @throws KmsError INVALID_ARGUMENT when the DER is not a public key of {@code type}
     */
    public static LoadedKey publicOnly(KeyType type, byte[] spkiDer) {
        return new LoadedKey(type, null, null, KeyParser.publicKey(type, spkiDer));
    }

    /**
     * A key holding only a public key of whichever offered type its SubjectPublicKeyInfo names
     * (RSA 2048/3072/4096, EC P-256/384/521).
     *
     * @throws KmsError INVALID_ARGUMENT when the DER is no such public key
     */
    public static LoadedKey publicOnly(byte[] spkiDer) {
        return publicOnly(KeyParser.publicKeyType(spkiDer), spkiDer);
    }

    public KeyType type() {
        return type;
    }

    /** True when the key can decrypt or sign: a symmetric key, or an asymmetric key with its private half. */
    public boolean hasPrivate() {
        return secret != null || privateKey != null;
    }

    /** The X.509 SubjectPublicKeyInfo DER of an RSA or EC key. */
    public Optional<byte[]> publicKeyDer() {
        return Optional.ofNullable(publicKey).map(PublicKey::getEncoded);
    }

    /** The public key as PEM ({@code BEGIN PUBLIC KEY}, SubjectPublicKeyInfo). */
    public Optional<String> publicKeyPem() {
        return publicKeyDer().map(der -> "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n");
    }

    /** Zeroes what can be zeroed; every later operation with this key fails. */
    public void destroy() {
        destroyed = true;
        if (secret != null) {
            secret.destroy();
        }
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    SecretKey secretKey() {
        requireLoaded();
        if (secret == null) {
            throw KmsError.invalid(type + " is not a symmetric key");
        }
        return secret;
    }

    PrivateKey privateKey() {
        requireLoaded();
        if (privateKey == null) {
            throw KmsError.invalid("the " + type + " key holds only a public key");
        }
        return privateKey;
    }

    PublicKey publicKey() {
        requireLoaded();
        if (publicKey == null) {
            throw KmsError.invalid(type + " has no public key");
        }
        return publicKey;
    }

    private void requireLoaded() {
        if (destroyed) {
            throw unloaded();
        }
    }

    static KmsError unloaded() {
        return KmsError.precondition("the key version was unloaded while in use; retry the call");
    }

    @Override
    public String toString() {
        return "LoadedKey[" + type + (privateKey == null && secret == null ? ", public only" : "") + "]";
    }
}
