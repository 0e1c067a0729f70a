package dev.tresor.kms.kmip.ttlv;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * Encodes binary TTLV: every item ends on a multiple of 8 bytes, padded with zeros, and a
 * Big Integer is sign-extended to a multiple of 8 (spec 1.4 section 9.1.1.4). A first pass
 * measures the message and each structure once; the second writes it into one exactly sized
 * array, whose padding is already zero.
 */
public final class TtlvWriter {
    private TtlvWriter() {
    }

    public static byte[] write(Ttlv item) {
        StructureLengths lengths = new StructureLengths();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(measure(item, lengths)));
        put(out, item, lengths);
        return out.array();
    }

    /** The number of bytes {@link #write} produces, header and padding included. */
    public static long encodedLength(Ttlv item) {
        return measure(item, new StructureLengths());
    }

    /** The encoded length of {@code item}; notes each structure's value length, in the order {@link #put} meets them. */
    private static long measure(Ttlv item, StructureLengths lengths) {
        if (item.type() != ItemType.STRUCTURE) {
            return TtlvReader.HEADER_BYTES + padded(valueLength(item));
        }
        int slot = lengths.reserve();
        long sum = 0;
        for (Ttlv child : item.items()) {
            sum += measure(child, lengths);
        }
        lengths.set(slot, sum);
        return TtlvReader.HEADER_BYTES + sum;
    }

    private static long valueLength(Ttlv item) {
        return switch (item.type()) {
            case STRUCTURE -> throw new IllegalArgumentException("a structure's length is measured from its items");
            case INTEGER, ENUMERATION, INTERVAL -> 4;
            case LONG_INTEGER, BOOLEAN, DATE_TIME, DATE_TIME_EXTENDED -> 8;
            case BIG_INTEGER -> padded(item.asBigInteger().bitLength() / 8 + 1);
            case TEXT_STRING -> item.asText().getBytes(StandardCharsets.UTF_8).length;
            case BYTE_STRING -> item.asBytes().length();
        };
    }

    private static long padded(long length) {
        return (length + 7) & ~7L;
    }

    private static void put(ByteBuffer out, Ttlv item, StructureLengths lengths) {
        out.put((byte) (item.tag() >>> 16)).put((byte) (item.tag() >>> 8)).put((byte) item.tag());
        out.put((byte) item.type().code());
        switch (item.type()) {
            case STRUCTURE -> {
                out.putInt(lengths.next());
                for (Ttlv child : item.items()) {
                    put(out, child, lengths);
                }
            }
            case INTEGER, ENUMERATION -> out.putInt(4).putInt((Integer) item.value()).putInt(0);
            case INTERVAL -> out.putInt(4).putInt((int) item.asInterval()).putInt(0);
            case LONG_INTEGER -> out.putInt(8).putLong(item.asLong());
            case BOOLEAN -> out.putInt(8).putLong(item.asBoolean() ? 1 : 0);
            case DATE_TIME -> out.putInt(8).putLong(item.asDateTime().getEpochSecond());
            case DATE_TIME_EXTENDED -> out.putInt(8).putLong(
                    ChronoUnit.MICROS.between(Instant.EPOCH, (Instant) item.value()));
            case BIG_INTEGER -> putBigInteger(out, item.asBigInteger());
            case TEXT_STRING -> {
                byte[] text = item.asText().getBytes(StandardCharsets.UTF_8);
                out.putInt(text.length).put(text);
                skipPadding(out, text.length);
            }
            case BYTE_STRING -> {
                out.putInt(item.asBytes().length());
                item.asBytes().copyTo(out);
                skipPadding(out, item.asBytes().length());
            }
        }
    }

    private static void putBigInteger(ByteBuffer out, BigInteger value) {
        byte[] bytes = signExtended(value);
        out.putInt(bytes.length).put(bytes);
    }

    /** Two's complement, sign-extended to a multiple of 8 bytes (spec 1.4 section 9.1.1.4). */
    static byte[] signExtended(BigInteger value) {
        byte[] minimal = value.toByteArray();
        byte[] padded = new byte[(int) padded(minimal.length)];
        Arrays.fill(padded, 0, padded.length - minimal.length, (byte) (value.signum() < 0 ? 0xFF : 0));
        System.arraycopy(minimal, 0, padded, padded.length - minimal.length, minimal.length);
        return padded;
    }

    private static void skipPadding(ByteBuffer out, int length) {
        out.position(out.position() + (int) (padded(length) - length));
    }

    /** Each structure's value length, in the order a depth-first walk meets the structures. */
    private static final class StructureLengths {
        private int[] values = new int[8];
        private int count;
        private int read;

        int reserve() {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            return count++;
        }

        void set(int slot, long length) {
            values[slot] = Math.toIntExact(length);
        }

        int next() {
            return values[read++];
        }
    }
}
