package dev.tresor.kms.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * Secret key bytes: a raw AES or HMAC key, or the PKCS#8 DER encoding of an RSA or EC private key.
 * The bytes leave only through {@link #copyBytes(MaterialAccess)}, so every place that reads them
 * holds a {@link MaterialAccess} and can be found by searching for it. {@code toString} prints the
 * size only; there is deliberately no {@code equals}.
 */
public final class KeyMaterial {
    private final byte[] bytes;
    private volatile boolean destroyed;

    private KeyMaterial(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code bytes}; the caller stays responsible for zeroing its own array. */
    public static KeyMaterial copyOf(byte[] bytes) {
        return adopt(bytes.clone());
    }

    /** Takes ownership of {@code bytes} without copying. */
    static KeyMaterial adopt(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("key material must not be empty");
        }
        return new KeyMaterial(bytes);
    }

    /** A copy of the secret bytes; the caller must zero it when done. */
    public byte[] copyBytes(MaterialAccess access) {
        Objects.requireNonNull(access, "access");
        return view().clone();
    }

    /** The secret bytes themselves, for parsing inside this package; never handed out. */
    byte[] view() {
        if (destroyed) {
            throw new IllegalStateException("key material was destroyed");
        }
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    /** Overwrites the bytes with zeros; afterwards {@link #copyBytes} fails. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "KeyMaterial[" + bytes.length + " bytes]";
    }
}
