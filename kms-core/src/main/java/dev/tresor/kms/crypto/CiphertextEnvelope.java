package dev.tresor.kms.crypto;

import dev.tresor.kms.service.KmsError;
import java.util.Arrays;

/**
 * Tresor's AES-256-GCM ciphertext format (REST and the PKCS#11 vendor mechanism), specified in
 * {@code docs/ciphertext-format.md}:
 * <pre>
 * byte 0      format 0x01 (AES-256-GCM, v1)
 * bytes 1-4   key version number, unsigned 32-bit big-endian
 * bytes 5-16  96-bit nonce
 * bytes 17-   ciphertext ‖ 16-byte tag
 * </pre>
 * The 5-byte header (format ‖ version) is the GCM associated data, so a header edited to name
 * another version fails to decrypt. These bytes never change silently: a new layout gets a new
 * format byte.
 */
public final class CiphertextEnvelope {
    static final byte FORMAT_AES_256_GCM_V1 = 0x01;
    static final int HEADER_BYTES = 5;
    static final int NONCE_OFFSET = HEADER_BYTES;
    static final int BODY_OFFSET = NONCE_OFFSET + AesCipher.GCM_NONCE_BYTES;
    private static final int OVERHEAD = BODY_OFFSET + AesCipher.GCM_TAG_BYTES;
    private static final long MAX_VERSION = 0xFFFF_FFFFL;

    private CiphertextEnvelope() {
    }

    /** The envelope of an AES-GCM result whose AAD was the header this writes. */
    public static byte[] encode(long version, byte[] nonce, byte[] ciphertextAndTag) {
        if (nonce.length != AesCipher.GCM_NONCE_BYTES) {
            throw KmsError.invalid("the nonce must be 12 bytes, got " + nonce.length);
        }
        if (ciphertextAndTag.length < AesCipher.GCM_TAG_BYTES) {
            throw KmsError.invalid("ciphertext and tag must be at least 16 bytes, got " + ciphertextAndTag.length);
        }
        byte[] out = new byte[BODY_OFFSET + ciphertextAndTag.length];
        writeHeader(out, version);
        System.arraycopy(nonce, 0, out, NONCE_OFFSET, nonce.length);
        System.arraycopy(ciphertextAndTag, 0, out, BODY_OFFSET, ciphertextAndTag.length);
        return out;
    }

    /**
     * Splits an envelope. Only the shape is checked here; whether it decrypts is for
     * {@link Crypto#decryptEnvelope}.
     *
     * @throws KmsError INVALID_ARGUMENT "ciphertext is not a Tresor ciphertext" for a short
     *         envelope, an unknown format byte or version 0
     */
    public static Parsed decode(byte[] envelope) {
        if (envelope.length < OVERHEAD || envelope[0] != FORMAT_AES_256_GCM_V1) {
            throw notTresor();
        }
        long version = ((envelope[1] & 0xFFL) << 24) | ((envelope[2] & 0xFFL) << 16)
                | ((envelope[3] & 0xFFL) << 8) | (envelope[4] & 0xFFL);
        if (version == 0) {
            throw notTresor();
        }
        return new Parsed(version, envelope.clone());
    }

    /** Bytes an envelope adds to the plaintext: 1 + 4 + 12 + 16 = 33. */
    public static int overhead() {
        return OVERHEAD;
    }

    /** The 5-byte header (format ‖ version) that is also the AES-GCM associated data. */
    public static byte[] header(long version) {
        byte[] header = new byte[HEADER_BYTES];
        writeHeader(header, version);
        return header;
    }

    static void writeHeader(byte[] out, long version) {
        if (version < 1 || version > MAX_VERSION) {
            throw KmsError.invalid("key version must be 1 to " + MAX_VERSION + ", got " + version);
        }
        out[0] = FORMAT_AES_256_GCM_V1;
        out[1] = (byte) (version >>> 24);
        out[2] = (byte) (version >>> 16);
        out[3] = (byte) (version >>> 8);
        out[4] = (byte) version;
    }

    private static KmsError notTresor() {
        return KmsError.invalid("ciphertext is not a Tresor ciphertext");
    }

    /** A decoded envelope. It keeps its own copy of the bytes; accessors copy out. */
    public static final class Parsed {
        private final long version;
        private final byte[] envelope;

        private Parsed(long version, byte[] envelope) {
            this.version = version;
            this.envelope = envelope;
        }

        /** The key version the header names. */
        public long version() {
            return version;
        }

        public byte[] nonce() {
            return Arrays.copyOfRange(envelope, NONCE_OFFSET, BODY_OFFSET);
        }

        public byte[] ciphertextAndTag() {
            return Arrays.copyOfRange(envelope, BODY_OFFSET, envelope.length);
        }

        /** The whole envelope, for decryption without further copies; never handed out. */
        byte[] bytes() {
            return envelope;
        }

        @Override
        public String toString() {
            return "Parsed[version " + version + ", " + (envelope.length - OVERHEAD) + " plaintext bytes]";
        }
    }
}
