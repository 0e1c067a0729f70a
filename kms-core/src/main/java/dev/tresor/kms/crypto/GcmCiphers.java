package dev.tresor.kms.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM ciphers of one key, kept between calls: a JDK cipher initialised again under the key it
 * last held skips the provider lookup and the AES key schedule, which cost more than encrypting a
 * kilobyte. A cipher comes back only from a call that completed, at most {@link #MAX_IDLE} wait,
 * and {@link #clear} drops them when the key is destroyed. Thread-safe.
 */
public final class GcmCiphers {
    private static final int MAX_IDLE = 8;

    private final ConcurrentLinkedQueue<Cipher> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean cleared;

    /** A cipher initialised for {@code mode} under {@code key}, which must be this pool's key. */
    public Cipher take(int mode, SecretKey key, GCMParameterSpec spec) throws GeneralSecurityException {
        Cipher kept = idle.poll();
        if (kept != null) {
            idleCount.decrementAndGet();
            try {
                kept.init(mode, key, spec);
                return kept;
            } catch (InvalidAlgorithmParameterException refused) {
                // The JDK refuses to encrypt again under the key and IV a cipher used last (a caller
                // may choose its IV); a new cipher accepts it, as every call's fresh cipher did before
                // ciphers were kept. Whether a caller's IV is allowed is decided before this, in the
                // core (the gated-key rule), not here.
            }
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", Providers.SUN_JCE);
        cipher.init(mode, key, spec);
        return cipher;
    }

    /** Keeps {@code cipher}, taken from this pool, whose call completed. */
    public void give(Cipher cipher) {
        if (!cleared && idleCount.incrementAndGet() <= MAX_IDLE) {
            idle.offer(cipher);
            if (cleared) { // cleared between the check and the offer: drop what may have slipped in
                idle.clear();
            }
        } else {
            idleCount.decrementAndGet();
        }
    }

    /** Drops every kept cipher, now and later: the key is gone. */
    public void clear() {
        cleared = true;
        idle.clear();
    }
}
