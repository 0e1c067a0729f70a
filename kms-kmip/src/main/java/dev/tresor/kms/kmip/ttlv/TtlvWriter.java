package dev.tresor.kms.kmip.ttlv;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * Encodes binary TTLV: every item ends on a multiple of 8 bytes, padded with zeros, and a
 * Big Integer is sign-extended to a multiple of 8 (spec 1.4 section 9.1.1.4). The size is
 * computed first, so a message is written into one exactly sized array.
 */
public final class TtlvWriter {
    private TtlvWriter() {
    }

    public static byte[] write(Ttlv item) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(encodedLength(item)));
        put(out, item);
        return out.array();
    }

    /** The number of bytes {@link #write} produces, header and padding included. */
    public static long encodedLength(Ttlv item) {
        return TtlvReader.HEADER_BYTES + padded(valueLength(item));
    }

    private static long valueLength(Ttlv item) {
        return switch (item.type()) {
            case STRUCTURE -> {
                long sum = 0;
                for (Ttlv child : item.items()) {
                    sum += encodedLength(child);
                }
                yield sum;
            }
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

    private static void put(ByteBuffer out, Ttlv item) {
        out.put((byte) (item.tag() >>> 16)).put((byte) (item.tag() >>> 8)).put((byte) item.tag());
        out.put((byte) item.type().code());
        switch (item.type()) {
            case STRUCTURE -> {
                out.putInt((int) valueLength(item));
                for (Ttlv child : item.items()) {
                    put(out, child);
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
            case TEXT_STRING -> putPadded(out, item.asText().getBytes(StandardCharsets.UTF_8));
            case BYTE_STRING -> {
                byte[] bytes = item.asBytes().toArray();
                putPadded(out, bytes);
                Arrays.fill(bytes, (byte) 0);
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

    private static void putPadded(ByteBuffer out, byte[] value) {
        out.putInt(value.length).put(value);
        for (long i = value.length; i < padded(value.length); i++) {
            out.put((byte) 0);
        }
    }
}
