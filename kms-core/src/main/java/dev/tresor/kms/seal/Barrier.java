package dev.tresor.kms.seal;

import dev.tresor.kms.service.KmsError;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts every stored value: AES-256-GCM under the keyring's current term, stored as
 * {@code format (1) ‖ term (4, big-endian) ‖ nonce (12) ‖ ciphertext ‖ tag (16)}, with
 * {@code storage key ‖ format ‖ term} as associated data, so a value moved or copied to another
 * storage key no longer opens.
 */
public final class Barrier {
    static final byte FORMAT = 1;
    static final int HEADER_BYTES = 1 + 4;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int OVERHEAD = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;

    private final BarrierKeyring keyring;
    private final SecureRandom random;

    public Barrier(BarrierKeyring keyring, SecureRandom random) {
        this.keyring = Objects.requireNonNull(keyring);
        this.random = Objects.requireNonNull(random);
    }

    BarrierKeyring keyring() {
        return keyring;
    }

    public byte[] seal(byte[] storageKey, byte[] plaintext) {
        byte[] stored = new byte[OVERHEAD + plaintext.length];
        ByteBuffer.wrap(stored).put(FORMAT).putInt(keyring.currentTerm());
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, stored, HEADER_BYTES, NONCE_BYTES);
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, keyring.currentKey(), storageKey, stored);
            gcm.doFinal(plaintext, 0, plaintext.length, stored, HEADER_BYTES + NONCE_BYTES);
            return stored;
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("the barrier could not encrypt a value", e);
        }
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
            return gcm.doFinal(stored, body, stored.length - body);
        } catch (GeneralSecurityException e) {
            throw integrityFailure();
        }
    }

    private static Cipher cipher(int mode, TermKey key, byte[] storageKey, byte[] stored)
            throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, stored, HEADER_BYTES, NONCE_BYTES));
        gcm.updateAAD(storageKey);
        gcm.updateAAD(stored, 0, HEADER_BYTES);
        return gcm;
    }

    private static KmsError integrityFailure() {
        return KmsError.internal("stored value failed its integrity check", null);
    }
}
