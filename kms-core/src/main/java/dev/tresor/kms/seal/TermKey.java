package dev.tresor.kms.seal;

import dev.tresor.kms.crypto.GcmCiphers;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A 256-bit AES key that can really be wiped: unlike {@code SecretKeySpec}, whose private copy
 * outlives any zeroing, {@link #destroy()} overwrites this key's own copy. It also drops the
 * AES-GCM ciphers kept for the key ({@link GcmCiphers}); the key schedules inside those cannot be
 * overwritten and stay in memory until they are garbage collected.
 */
final class TermKey implements SecretKey {
    private static final long serialVersionUID = 1L;
    static final int BYTES = 32;

    private final byte[] key;
    private final transient GcmCiphers ciphers = new GcmCiphers();
    private volatile boolean destroyed;

    /** Copies {@code key}. */
    TermKey(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("a barrier key has " + BYTES + " bytes, not " + key.length);
        }
        this.key = key.clone();
    }

    TermKey copy() {
        return new TermKey(key);
    }

    @Override
    public String getAlgorithm() {
        return "AES";
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("the key was destroyed");
        }
        return key.clone();
    }

    /** The AES-GCM ciphers kept for this key. */
    GcmCiphers ciphers() {
        return ciphers;
    }

    @Override
    public void destroy() {
        Arrays.fill(key, (byte) 0);
        destroyed = true;
        ciphers.clear();
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "TermKey[***]";
    }
}
