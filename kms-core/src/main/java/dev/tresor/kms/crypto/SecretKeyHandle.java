package dev.tresor.kms.crypto;

import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A raw AES or HMAC key the JCA can use and we can really zero ({@code SecretKeySpec} cannot be
 * destroyed). {@link #getEncoded} and {@link #destroy} share one lock so an operation racing an
 * eviction either sees the whole key or fails; it never sees a half-zeroed one.
 */
final class SecretKeyHandle implements SecretKey {
    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final transient byte[] key;
    private final transient GcmCiphers gcmCiphers = new GcmCiphers();
    private transient boolean destroyed;

    SecretKeyHandle(String algorithm, byte[] key) {
        this.algorithm = algorithm;
        this.key = key.clone();
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public synchronized byte[] getEncoded() {
        if (destroyed) {
            throw LoadedKey.unloaded();
        }
        return key.clone();
    }

    /** The AES-GCM ciphers kept for this key (an AES key's). */
    GcmCiphers gcmCiphers() {
        return gcmCiphers;
    }

    @Override
    public synchronized void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
        gcmCiphers.clear();
    }

    @Override
    public synchronized boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "SecretKeyHandle[" + algorithm + ", " + key.length + " bytes]";
    }

    private Object writeReplace() throws ObjectStreamException {
        throw new NotSerializableException("key material is not serialisable");
    }
}
