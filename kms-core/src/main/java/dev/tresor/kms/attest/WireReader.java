package dev.tresor.kms.attest;

import java.util.Arrays;

/**
 * Bounds-checked reads from a binary structure. Every read past the end is a
 * {@link Reason#MALFORMED} refusal naming the structure, so parsers never index out of range.
 */
final class WireReader {
    private final byte[] data;
    private final int limit;
    private final boolean bigEndian;
    private final String structure;
    private int position;

    private WireReader(byte[] data, int offset, int limit, boolean bigEndian, String structure) {
        this.data = data;
        this.position = offset;
        this.limit = limit;
        this.bigEndian = bigEndian;
        this.structure = structure;
    }

    static WireReader bigEndian(byte[] data, String structure) {
        return new WireReader(data, 0, data.length, true, structure);
    }

    static WireReader littleEndian(byte[] data, int offset, String structure) {
        return new WireReader(data, offset, data.length, false, structure);
    }

    int position() {
        return position;
    }

    int remaining() {
        return limit - position;
    }

    byte[] bytes(int length) {
        require(length);
        byte[] out = Arrays.copyOfRange(data, position, position + length);
        position += length;
        return out;
    }

    void skip(int length) {
        require(length);
        position += length;
    }

    int u8() {
        require(1);
        return data[position++] & 0xFF;
    }

    int u16() {
        return (int) number(2);
    }

    long u32() {
        return number(4);
    }

    long u64() {
        return number(8);
    }

    /** A u16 size followed by that many bytes (a TPM2B, the quote's QE auth data). */
    byte[] sized16() {
        return bytes(u16());
    }

    private long number(int width) {
        require(width);
        long value = 0;
        for (int i = 0; i < width; i++) {
            int b = data[position + (bigEndian ? i : width - 1 - i)] & 0xFF;
            value = (value << 8) | b;
        }
        position += width;
        return value;
    }

    private void require(int length) {
        if (length < 0 || length > limit - position) {
            throw Reason.MALFORMED.error(structure + " is truncated at offset " + position);
        }
    }

    static long le64(byte[] data, int offset) {
        return littleEndian(data, offset, "structure").u64();
    }

    static long le32(byte[] data, int offset) {
        return littleEndian(data, offset, "structure").u32();
    }

    static int le16(byte[] data, int offset) {
        return littleEndian(data, offset, "structure").u16();
    }
}
