package dev.tresor.kms.seal;

import dev.tresor.kms.service.KmsError;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts every stored value: AES-256-GCM under the keyring's current term, stored as
 * {@code format (1) ‖ term (4, big-endian) ‖ nonce (12) ‖ ciphertext ‖ tag (16)}, with
 * {@code storage key ‖ format ‖ term} as associated data, so a value moved or copied to another
 * storage key no longer opens.
 *
 * <p>Random 96-bit nonces are safe for at most 2^32 encryptions under one key (NIST SP 800-38D
 * 8.3). Each term is used by one barrier instance only (a fresh term per unseal), so counting
 * here is exact: past {@code rotateAfter} seals the barrier asks once for a new term, and it
 * refuses to seal at all past {@link #MAX_SEALS_PER_TERM}.
 */
public final class Barrier {
    static final byte FORMAT = 1;
    static final int HEADER_BYTES = 1 + 4;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int OVERHEAD = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;
    static final long MAX_SEALS_PER_TERM = 1L << 32;
    static final long DEFAULT_ROTATE_AFTER = 1L << 30;

    private final BarrierKeyring keyring;
    private final SecureRandom random;
    private final long rotateAfter;
    private final AtomicLong seals = new AtomicLong();
    private final AtomicBoolean rotationClaimed = new AtomicBoolean();

    public Barrier(BarrierKeyring keyring, SecureRandom random) {
        this(keyring, random, DEFAULT_ROTATE_AFTER);
    }

    Barrier(BarrierKeyring keyring, SecureRandom random, long rotateAfter) {
        this.keyring = Objects.requireNonNull(keyring);
        this.random = Objects.requireNonNull(random);
        this.rotateAfter = rotateAfter;
    }

    BarrierKeyring keyring() {
        return keyring;
    }

    public byte[] seal(byte[] storageKey, byte[] plaintext) {
        if (seals.incrementAndGet() > MAX_SEALS_PER_TERM) {
            throw KmsError.internal("the barrier term has used up its nonces; a new term is needed", null);
        }
        byte[] stored = new byte[OVERHEAD + plaintext.length];
        ByteBuffer.wrap(stored).put(FORMAT).putInt(keyring.currentTerm());
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, stored, HEADER_BYTES, NONCE_BYTES);
        TermKey key = keyring.currentKey();
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, key, storageKey, stored);
            gcm.doFinal(plaintext, 0, plaintext.length, stored, HEADER_BYTES + NONCE_BYTES);
            key.ciphers().give(gcm);
            return stored;
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("the barrier could not encrypt a value", e);
        }
    }

    /** True exactly once: for the first caller to find the term's rotation due. */
    boolean claimRotation() {
        return seals.get() >= rotateAfter && rotationClaimed.compareAndSet(false, true);
    }

    /** The plaintext, or {@code INTERNAL} if the value was altered, moved, or sealed under an unknown term. */
    public byte[] open(byte[] storageKey, byte[] stored) {
        if (stored.length < OVERHEAD || stored[0] != FORMAT) {
            throw integrityFailure();
        }
        TermKey key = keyring.key(ByteBuffer.wrap(stored, 1, 4).getInt()).orElseThrow(Barrier::integrityFailure);
        try {
            Cipher gcm = cipher(Cipher.DECRYPT_MODE, key, storageKey, stored);
            int body = HEADER_BYTES + NONCE_BYTES;
            byte[] plaintext = gcm.doFinal(stored, body, stored.length - body);
            key.ciphers().give(gcm);
            return plaintext;
        } catch (GeneralSecurityException e) {
            throw integrityFailure();
        }
    }

    private static Cipher cipher(int mode, TermKey key, byte[] storageKey, byte[] stored)
            throws GeneralSecurityException {
        Cipher gcm = key.ciphers().take(mode, key, new GCMParameterSpec(TAG_BYTES * 8, stored, HEADER_BYTES, NONCE_BYTES));
        gcm.updateAAD(storageKey);
        gcm.updateAAD(stored, 0, HEADER_BYTES);
        return gcm;
    }

    private static KmsError integrityFailure() {
        return KmsError.internal("stored value failed its integrity check", null);
    }
}
