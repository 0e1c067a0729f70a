package dev.tresor.kms.crypto;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * ChaCha20 and ChaCha20-Poly1305 (RFC 8439) on the JDK's SunJCE provider. ChaCha20 takes the RFC's
 * 96-bit nonce or the original 64-bit one: Bernstein's layout puts a 64-bit block counter before
 * a 64-bit nonce, so a 64-bit nonce zero-extended to 96 bits, with the counter starting at 0,
 * gives the same keystream. ChaCha20-Poly1305 takes a 96-bit nonce. A server-chosen nonce is 96
 * random bits. Encryption names what is wrong with its arguments; decryption answers every
 * failure with the one generic {@link KmsError#decryptionFailed()}.
 */
final class ChaChaCipher {
    static final int NONCE_BYTES = 12;
    private static final int ORIGINAL_NONCE_BYTES = 8;
    /** RFC 8439 section 2.8: block 0 keys Poly1305, the plaintext starts at block 1. */
    private static final int AEAD_FIRST_BLOCK = 1;

    private ChaChaCipher() {
    }

    static CipherOutput encrypt(SecretKey key, Scheme scheme, byte[] plaintext, byte[] iv, byte[] aad,
            SecureRandom random) {
        if (aad != null && scheme != Scheme.CHACHA20_POLY1305) {
            throw KmsError.invalid("associated data is only supported by CHACHA20_POLY1305, not " + scheme);
        }
        byte[] usedIv = checkedNonce(scheme, iv, random);
        try {
            if (scheme == Scheme.CHACHA20) {
                return new CipherOutput(usedIv, stream(key, usedIv, 0, plaintext), null);
            }
            byte[] out = aead(key, Cipher.ENCRYPT_MODE, usedIv, aad).doFinal(plaintext);
            int split = out.length - Scheme.AEAD_TAG_BYTES;
            return new CipherOutput(usedIv, Arrays.copyOf(out, split), Arrays.copyOfRange(out, split, out.length));
        } catch (GeneralSecurityException e) {
            throw KmsError.internal(scheme + " encryption failed", e);
        }
    }

    /**
     * A null {@code tag} means the 16-byte Poly1305 tag ends the ciphertext. A shorter tag given
     * apart is compared, in constant time, with the leading bytes of the tag the ciphertext should
     * have (the JDK checks full tags only); the plaintext is released only if they match.
     */
    /** A ChaCha20-Poly1305 encryption fed in parts; the nonce as for {@link #encrypt}. */
    static CipherStream start(SecretKey key, byte[] iv, byte[] aad, SecureRandom random) {
        byte[] usedIv = checkedNonce(Scheme.CHACHA20_POLY1305, iv, random);
        try {
            return new CipherStream(Scheme.CHACHA20_POLY1305, usedIv, aead(key, Cipher.ENCRYPT_MODE, usedIv, aad));
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("CHACHA20_POLY1305 encryption failed", e);
        }
    }

    static byte[] decrypt(SecretKey key, Scheme scheme, byte[] iv, byte[] ciphertext, byte[] tag, byte[] aad) {
        if (iv == null || !nonceFits(scheme, iv.length)) {
            throw KmsError.decryptionFailed();
        }
        try {
            if (scheme == Scheme.CHACHA20) {
                if (tag != null || aad != null) {
                    throw KmsError.decryptionFailed();
                }
                return stream(key, iv, 0, ciphertext);
            }
            if (tag == null) {
                return aead(key, Cipher.DECRYPT_MODE, iv, aad).doFinal(ciphertext);
            }
            if (!scheme.takesTagBytes(tag.length)) {
                throw KmsError.decryptionFailed();
            }
            byte[] candidate = stream(key, iv, AEAD_FIRST_BLOCK, ciphertext);
            byte[] sealed = aead(key, Cipher.ENCRYPT_MODE, iv, aad).doFinal(candidate);
            byte[] expected = Arrays.copyOfRange(sealed, sealed.length - Scheme.AEAD_TAG_BYTES,
                    sealed.length - Scheme.AEAD_TAG_BYTES + tag.length);
            Arrays.fill(sealed, (byte) 0);
            if (!MessageDigest.isEqual(expected, tag)) {
                Arrays.fill(candidate, (byte) 0);
                throw KmsError.decryptionFailed();
            }
            return candidate;
        } catch (KmsError e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw KmsError.decryptionFailed();
        }
    }

    private static byte[] stream(SecretKey key, byte[] nonce, int firstBlock, byte[] input)
            throws GeneralSecurityException {
        byte[] wide = nonce;
        if (nonce.length == ORIGINAL_NONCE_BYTES) {
            wide = new byte[NONCE_BYTES];
            System.arraycopy(nonce, 0, wide, NONCE_BYTES - ORIGINAL_NONCE_BYTES, ORIGINAL_NONCE_BYTES);
        }
        Cipher cipher = Cipher.getInstance("ChaCha20", Providers.SUN_JCE);
        cipher.init(Cipher.ENCRYPT_MODE, key, new ChaCha20ParameterSpec(wide, firstBlock));
        return cipher.doFinal(input);
    }

    private static Cipher aead(SecretKey key, int mode, byte[] nonce, byte[] aad) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305", Providers.SUN_JCE);
        cipher.init(mode, key, new IvParameterSpec(nonce));
        if (aad != null) {
            cipher.updateAAD(aad);
        }
        return cipher;
    }

    private static byte[] freshNonce(SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    private static byte[] checkedNonce(Scheme scheme, byte[] iv, SecureRandom random) {
        byte[] nonce = iv == null ? freshNonce(random) : iv;
        if (!nonceFits(scheme, nonce.length)) {
            throw KmsError.invalid(scheme + " needs a " + nonceLengths(scheme) + " nonce, got " + nonce.length
                    + " bytes");
        }
        return nonce;
    }

    private static boolean nonceFits(Scheme scheme, int length) {
        return length == NONCE_BYTES || (scheme == Scheme.CHACHA20 && length == ORIGINAL_NONCE_BYTES);
    }

    private static String nonceLengths(Scheme scheme) {
        return scheme == Scheme.CHACHA20 ? "12-byte (RFC 8439) or 8-byte (original ChaCha20)" : "12-byte";
    }
}
