package dev.tresor.kms.crypto;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * The AES schemes, all on the JDK's SunJCE provider (AES-NI and GHASH intrinsics; RFC 3394 and
 * RFC 5649 key wrap are there since JDK 17). Encryption checks its arguments and names what is
 * wrong; decryption answers every failure with the one generic {@link KmsError#decryptionFailed()}.
 */
final class AesCipher {
    static final int GCM_NONCE_BYTES = 12;
    private static final int MIN_GCM_IV_BYTES = 8;
    private static final int MAX_GCM_IV_BYTES = 128;
    static final int GCM_TAG_BYTES = Scheme.AEAD_TAG_BYTES;
    static final int BLOCK_BYTES = 16;
    private static final int KW_IV_BYTES = 8;
    private static final int KWP_IV_BYTES = 4;
    private static final int KW_MIN_BYTES = 16;

    private AesCipher() {
    }

    static CipherOutput encrypt(SecretKey key, Scheme scheme, byte[] plaintext, byte[] iv, byte[] aad, SecureRandom random) {
        if (aad != null && scheme != Scheme.AES_GCM) {
            throw KmsError.invalid("associated data is only supported by AES_GCM, not " + scheme);
        }
        checkPlaintext(scheme, plaintext.length);
        byte[] usedIv = iv == null ? freshIv(scheme, random) : checkedIv(scheme, iv);
        try {
            Cipher cipher = cipher(scheme, Cipher.ENCRYPT_MODE, key, usedIv);
            if (aad != null) {
                cipher.updateAAD(aad);
            }
            byte[] out = cipher.doFinal(plaintext);
            release(key, scheme, cipher);
            if (scheme != Scheme.AES_GCM) {
                return new CipherOutput(usedIv, out, null);
            }
            int split = out.length - GCM_TAG_BYTES;
            return new CipherOutput(usedIv, Arrays.copyOf(out, split), Arrays.copyOfRange(out, split, out.length));
        } catch (GeneralSecurityException e) {
            throw KmsError.internal(scheme + " encryption failed", e);
        }
    }

    /** An AES-GCM encryption fed in parts; the IV as for {@link #encrypt}. */
    static CipherStream start(SecretKey key, byte[] iv, byte[] aad, SecureRandom random) {
        byte[] usedIv = iv == null ? freshIv(Scheme.AES_GCM, random) : checkedIv(Scheme.AES_GCM, iv);
        try {
            Cipher cipher = cipher(Scheme.AES_GCM, Cipher.ENCRYPT_MODE, key, usedIv);
            if (aad != null) {
                cipher.updateAAD(aad);
            }
            return new CipherStream(Scheme.AES_GCM, usedIv, cipher);
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("AES_GCM encryption failed", e);
        }
    }

    static byte[] decrypt(SecretKey key, Scheme scheme, byte[] iv, byte[] ciphertext, byte[] tag, byte[] aad) {
        if ((aad != null || tag != null) && scheme != Scheme.AES_GCM) {
            throw KmsError.decryptionFailed();
        }
        if (!ivFits(scheme, iv) || (tag != null && !scheme.takesTagBytes(tag.length))
                || !wrapLengthFits(scheme, ciphertext.length)) {
            throw KmsError.decryptionFailed();
        }
        try {
            Cipher cipher = cipher(scheme, Cipher.DECRYPT_MODE, key, iv, tag == null ? GCM_TAG_BYTES : tag.length);
            if (aad != null) {
                cipher.updateAAD(aad);
            }
            byte[] plaintext;
            if (tag == null) {
                plaintext = cipher.doFinal(ciphertext);
            } else {
                cipher.update(ciphertext);
                plaintext = cipher.doFinal(tag);
            }
            release(key, scheme, cipher);
            return plaintext;
        } catch (KmsError e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw KmsError.decryptionFailed();
        }
    }

    /** AES-GCM straight into {@code out} at {@code outOffset}: the envelope's zero-copy path. */
    static void gcmEncryptInto(SecretKey key, byte[] nonce, byte[] aad1, int aad1Length, byte[] aad2,
            byte[] plaintext, byte[] out, int outOffset) {
        try {
            Cipher cipher = cipher(Scheme.AES_GCM, Cipher.ENCRYPT_MODE, key, nonce);
            cipher.updateAAD(aad1, 0, aad1Length);
            if (aad2 != null) {
                cipher.updateAAD(aad2);
            }
            cipher.doFinal(plaintext, 0, plaintext.length, out, outOffset);
            release(key, Scheme.AES_GCM, cipher);
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("AES-GCM encryption failed", e);
        }
    }

    /** AES-GCM decryption of {@code in[offset, offset+length)} (ciphertext ‖ tag). */
    static byte[] gcmDecrypt(SecretKey key, byte[] nonce, byte[] aad1, int aad1Length, byte[] aad2,
            byte[] in, int offset, int length) {
        try {
            Cipher cipher = cipher(Scheme.AES_GCM, Cipher.DECRYPT_MODE, key, nonce);
            cipher.updateAAD(aad1, 0, aad1Length);
            if (aad2 != null) {
                cipher.updateAAD(aad2);
            }
            byte[] plaintext = cipher.doFinal(in, offset, length);
            release(key, Scheme.AES_GCM, cipher);
            return plaintext;
        } catch (KmsError e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw KmsError.decryptionFailed();
        }
    }

    private static Cipher cipher(Scheme scheme, int mode, SecretKey key, byte[] iv) throws GeneralSecurityException {
        return cipher(scheme, mode, key, iv, GCM_TAG_BYTES);
    }

    /** A cipher for one call; AES-GCM under a key of ours comes from the key's {@link GcmCiphers}. */
    private static Cipher cipher(Scheme scheme, int mode, SecretKey key, byte[] iv, int tagBytes)
            throws GeneralSecurityException {
        AlgorithmParameterSpec spec = spec(scheme, iv, tagBytes);
        if (scheme == Scheme.AES_GCM && key instanceof SecretKeyHandle handle && spec instanceof GCMParameterSpec gcm) {
            return handle.gcmCiphers().take(mode, key, gcm);
        }
        Cipher cipher = Cipher.getInstance(transformation(scheme), Providers.SUN_JCE);
        if (spec == null) {
            cipher.init(mode, key);
        } else {
            cipher.init(mode, key, spec);
        }
        return cipher;
    }

    /** After a call that completed: an AES-GCM cipher goes back to its key's pool. */
    private static void release(SecretKey key, Scheme scheme, Cipher cipher) {
        if (scheme == Scheme.AES_GCM && key instanceof SecretKeyHandle handle) {
            handle.gcmCiphers().give(cipher);
        }
    }

    private static String transformation(Scheme scheme) {
        return switch (scheme) {
            case AES_GCM -> "AES/GCM/NoPadding";
            case AES_CBC_PKCS7 -> "AES/CBC/PKCS5Padding";
            case AES_CBC_NO_PADDING -> "AES/CBC/NoPadding";
            case AES_ECB_NO_PADDING -> "AES/ECB/NoPadding";
            case AES_ECB_PKCS7 -> "AES/ECB/PKCS5Padding";
            case AES_KEY_WRAP -> "AES/KW/NoPadding";
            case AES_KEY_WRAP_PAD -> "AES/KWP/NoPadding";
            default -> throw new IllegalArgumentException(scheme + " is not an AES scheme");
        };
    }

    private static AlgorithmParameterSpec spec(Scheme scheme, byte[] iv, int tagBytes) {
        if (iv == null) {
            return null;
        }
        return scheme == Scheme.AES_GCM ? new GCMParameterSpec(tagBytes * 8, iv) : new IvParameterSpec(iv);
    }

    private static void checkPlaintext(Scheme scheme, int length) {
        switch (scheme) {
            case AES_CBC_NO_PADDING, AES_ECB_NO_PADDING -> {
                if (length % BLOCK_BYTES != 0) {
                    throw KmsError.invalid(scheme + " needs a plaintext that is a multiple of 16 bytes, got " + length);
                }
            }
            case AES_KEY_WRAP -> {
                if (length < KW_MIN_BYTES || length % 8 != 0) {
                    throw KmsError.invalid("AES_KEY_WRAP needs a multiple of 8 bytes, at least 16, got " + length);
                }
            }
            case AES_KEY_WRAP_PAD -> {
                if (length == 0) {
                    throw KmsError.invalid("AES_KEY_WRAP_PAD needs at least 1 byte");
                }
            }
            default -> {
            }
        }
    }

    /** The IV length a scheme takes from a caller; -1 for "none" (ECB). */
    private static int ivLength(Scheme scheme) {
        return switch (scheme) {
            case AES_GCM -> GCM_NONCE_BYTES;
            case AES_CBC_PKCS7, AES_CBC_NO_PADDING -> BLOCK_BYTES;
            case AES_KEY_WRAP -> KW_IV_BYTES;
            case AES_KEY_WRAP_PAD -> KWP_IV_BYTES;
            default -> -1;
        };
    }

    /** GCM and CBC get a random IV; ECB has none; key wrap uses the RFC's default IV. */
    private static byte[] freshIv(Scheme scheme, SecureRandom random) {
        return switch (scheme) {
            case AES_GCM, AES_CBC_PKCS7, AES_CBC_NO_PADDING -> {
                byte[] iv = new byte[ivLength(scheme)];
                random.nextBytes(iv);
                yield iv;
            }
            default -> null;
        };
    }

    private static byte[] checkedIv(Scheme scheme, byte[] iv) {
        int expected = ivLength(scheme);
        if (expected < 0) {
            throw KmsError.invalid(scheme + " takes no IV");
        }
        if (scheme == Scheme.AES_GCM && !gcmIvFits(iv.length)) {
            throw KmsError.invalid("AES_GCM needs an IV of " + MIN_GCM_IV_BYTES + " to " + MAX_GCM_IV_BYTES
                    + " bytes (12 is the norm), got " + iv.length);
        }
        if (scheme != Scheme.AES_GCM && iv.length != expected) {
            throw KmsError.invalid(scheme + " needs a " + expected + "-byte IV, got " + iv.length);
        }
        return iv;
    }

    /** Wrapped keys are whole 64-bit blocks: at least 3 for KW, 2 for KWP (the JDK 17 unwrap fails badly on less). */
    private static boolean wrapLengthFits(Scheme scheme, int length) {
        return switch (scheme) {
            case AES_KEY_WRAP -> length >= 24 && length % 8 == 0;
            case AES_KEY_WRAP_PAD -> length >= 16 && length % 8 == 0;
            default -> true;
        };
    }

    /**
     * A caller's GCM IV: 96 bits is the norm (and what the server draws); any other length from 64
     * bits up is hashed into the counter block (SP 800-38D section 7.1), as KMIP clients may send.
     */
    private static boolean gcmIvFits(int length) {
        return length >= MIN_GCM_IV_BYTES && length <= MAX_GCM_IV_BYTES;
    }

    private static boolean ivFits(Scheme scheme, byte[] iv) {
        return switch (scheme) {
            case AES_GCM -> iv != null && gcmIvFits(iv.length);
            case AES_CBC_PKCS7, AES_CBC_NO_PADDING -> iv != null && iv.length == ivLength(scheme);
            case AES_ECB_NO_PADDING, AES_ECB_PKCS7 -> iv == null;
            default -> iv == null || iv.length == ivLength(scheme);
        };
    }
}
