package dev.tresor.kms.crypto;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import javax.crypto.Cipher;

/**
 * One AEAD encryption fed in parts (KMIP Encrypt with Init and Final Indicator): AES-GCM or
 * ChaCha20-Poly1305 on one JCA cipher, keyed and given its IV and associated data when it was
 * started ({@link Crypto#startEncryption}). A part's output may lag its input by less than a
 * block; {@link #finish} gives the rest and the 16-byte tag. Not thread-safe: its owner hands it
 * to one call at a time.
 */
public final class CipherStream {
    private final Scheme scheme;
    private final byte[] iv;
    private final Cipher cipher;

    CipherStream(Scheme scheme, byte[] iv, Cipher cipher) {
        this.scheme = scheme;
        this.iv = iv;
        this.cipher = cipher;
    }

    public Scheme scheme() {
        return scheme;
    }

    /** The IV or nonce in use (the caller's, or the one the server drew). */
    public byte[] iv() {
        return iv.clone();
    }

    /** The ciphertext of {@code part} as far as the cipher has produced it. */
    public byte[] update(byte[] part) {
        byte[] out = cipher.update(part);
        return out == null ? new byte[0] : out;
    }

    /** The rest of the ciphertext, with {@code part}, and the tag apart. */
    public CipherOutput finish(byte[] part) {
        try {
            byte[] out = cipher.doFinal(part);
            int split = out.length - Scheme.AEAD_TAG_BYTES;
            return new CipherOutput(iv(), Arrays.copyOf(out, split), Arrays.copyOfRange(out, split, out.length));
        } catch (java.security.GeneralSecurityException e) {
            throw KmsError.internal(scheme + " encryption failed", e);
        }
    }

    @Override
    public String toString() {
        return "CipherStream[" + scheme + "]";
    }
}
