package dev.tresor.kms.kmip.ttlv;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Decodes binary TTLV. Every declared length is checked against the bytes that remain in its
 * parent, and the depth and item count against {@link TtlvLimits}, before anything is allocated
 * for it; a malformed message fails with an {@code INVALID_ARGUMENT} error that names the
 * problem and its offset. Padding must be zero, as PyKMIP also requires.
 */
public final class TtlvReader {
    /** Tag (3 bytes), type (1) and length (4) precede every value. */
    public static final int HEADER_BYTES = 8;

    private final byte[] data;
    private final TtlvLimits limits;
    private int position;
    private int items;

    private TtlvReader(byte[] data, TtlvLimits limits) {
        this.data = data;
        this.limits = limits;
    }

    /** Decodes one message that fills {@code message} exactly. */
    public static Ttlv read(byte[] message, TtlvLimits limits) {
        if (message.length > limits.maxMessageBytes()) {
            throw malformed(0, "message of " + message.length + " bytes exceeds the limit of "
                    + limits.maxMessageBytes());
        }
        TtlvReader reader = new TtlvReader(message, limits);
        Ttlv root = reader.item(message.length, 1);
        if (reader.position != message.length) {
            throw malformed(reader.position, (message.length - reader.position) + " bytes after the message");
        }
        return root;
    }

    /**
     * The whole length (header included) of the message that starts with these 8 header bytes;
     * lets a transport refuse an oversized or non-structure frame before buffering its body.
     */
    public static int messageLength(byte[] header, TtlvLimits limits) {
        if (header.length < HEADER_BYTES) {
            throw malformed(0, "a message header has 8 bytes");
        }
        if ((header[3] & 0xFF) != ItemType.STRUCTURE.code()) {
            throw malformed(3, "a message must be a Structure");
        }
        long length = ByteBuffer.wrap(header, 4, 4).getInt() & 0xFFFF_FFFFL;
        if (length % 8 != 0) {
            throw malformed(4, "a message length must be a multiple of 8, not " + length);
        }
        if (length + HEADER_BYTES > limits.maxMessageBytes()) {
            throw malformed(4, "message of " + (length + HEADER_BYTES) + " bytes exceeds the limit of "
                    + limits.maxMessageBytes());
        }
        return (int) length + HEADER_BYTES;
    }

    /**
     * The 4-byte value of {@code type} (Integer or Enumeration) at {@code path} in a message, read
     * from the bytes without decoding the rest: each step is the first child with that tag, inside
     * the previous step's Structure. A cheap hint for where to decode a message; empty if the bytes
     * do not hold it there, and never an error. The message is still decoded and checked in full
     * before it is used.
     */
    public static OptionalInt peekInteger(byte[] message, ItemType type, Tag... path) {
        if (message.length < HEADER_BYTES) {
            return OptionalInt.empty();
        }
        long at = HEADER_BYTES;
        long end = Math.min(message.length, HEADER_BYTES + lengthAt(message, 0));
        for (int step = 0; step < path.length; step++) {
            while (at + HEADER_BYTES <= end && tagAt(message, (int) at) != path[step].code()) {
                at += HEADER_BYTES + paddedLength(message, (int) at);
            }
            if (at + HEADER_BYTES > end) {
                return OptionalInt.empty();
            }
            int found = (int) at;
            int foundType = message[found + 3] & 0xFF;
            long length = lengthAt(message, found);
            if (step == path.length - 1) {
                return foundType == type.code() && length == 4 && at + 2 * HEADER_BYTES <= end
                        ? OptionalInt.of(ByteBuffer.wrap(message, found + HEADER_BYTES, 4).getInt())
                        : OptionalInt.empty();
            }
            if (foundType != ItemType.STRUCTURE.code()) {
                return OptionalInt.empty();
            }
            at = found + HEADER_BYTES;
            end = Math.min(end, at + length);
        }
        return OptionalInt.empty();
    }

    private static long paddedLength(byte[] message, int at) {
        long length = lengthAt(message, at);
        return (message[at + 3] & 0xFF) == ItemType.STRUCTURE.code() ? length : (length + 7) & ~7L;
    }

    private static int tagAt(byte[] message, int at) {
        return ((message[at] & 0xFF) << 16) | ((message[at + 1] & 0xFF) << 8) | (message[at + 2] & 0xFF);
    }

    private static long lengthAt(byte[] message, int at) {
        return ByteBuffer.wrap(message, at + 4, 4).getInt() & 0xFFFF_FFFFL;
    }

    private Ttlv item(int end, int depth) {
        int start = position;
        if (end - start < HEADER_BYTES) {
            throw malformed(start, "truncated item header");
        }
        if (++items > limits.maxItems()) {
            throw malformed(start, "more than " + limits.maxItems() + " items");
        }
        int tag = tagAt(data, start);
        int typeCode = data[start + 3] & 0xFF;
        ItemType type = ItemType.of(typeCode)
                .orElseThrow(() -> malformed(start + 3, "unknown item type 0x" + Integer.toHexString(typeCode)));
        long length = lengthAt(data, start);
        position = start + HEADER_BYTES;
        long padded = type == ItemType.STRUCTURE ? length : (length + 7) & ~7L;
        if (padded > end - position) {
            throw malformed(start + 4, Ttlv.tagName(tag) + " declares " + length + " bytes but only "
                    + (end - position) + " remain");
        }
        if (type.fixedLength() >= 0 && length != type.fixedLength()) {
            throw malformed(start + 4, type.xmlName() + " " + Ttlv.tagName(tag) + " must have length "
                    + type.fixedLength() + ", not " + length);
        }
        int valueEnd = position + (int) length;
        Object value = switch (type) {
            case STRUCTURE -> structure(tag, valueEnd, depth, start);
            case INTEGER, ENUMERATION -> readInt(position);
            case LONG_INTEGER -> readLong(position);
            case INTERVAL -> readInt(position) & 0xFFFF_FFFFL;
            case BIG_INTEGER -> bigInteger(tag, (int) length, start);
            case BOOLEAN -> bool(tag, start);
            case TEXT_STRING -> text(tag, (int) length, start);
            case BYTE_STRING -> Bytes.wrap(Arrays.copyOfRange(data, position, valueEnd));
            case DATE_TIME -> Instant.ofEpochSecond(readLong(position));
            case DATE_TIME_EXTENDED -> Instant.EPOCH.plus(readLong(position), ChronoUnit.MICROS);
        };
        position = valueEnd;
        if (type != ItemType.STRUCTURE) {
            skipPadding((int) (padded - length));
        }
        return new Ttlv(tag, type, value);
    }

    private List<Ttlv> structure(int tag, int end, int depth, int start) {
        if (depth > limits.maxDepth()) {
            throw malformed(start, "structures nested deeper than " + limits.maxDepth());
        }
        List<Ttlv> children = new ArrayList<>();
        while (position < end) {
            children.add(item(end, depth + 1));
        }
        if (position != end) {
            throw malformed(start, Ttlv.tagName(tag) + " length does not match its items");
        }
        return children;
    }

    private BigInteger bigInteger(int tag, int length, int start) {
        if (length == 0 || length % 8 != 0) {
            throw malformed(start + 4, "Big Integer " + Ttlv.tagName(tag) + " length must be a positive multiple of 8");
        }
        return new BigInteger(Arrays.copyOfRange(data, position, position + length));
    }

    private Boolean bool(int tag, int start) {
        long value = readLong(position);
        if (value != 0 && value != 1) {
            throw malformed(start + HEADER_BYTES, "Boolean " + Ttlv.tagName(tag) + " must be 0 or 1");
        }
        return value == 1;
    }

    private String text(int tag, int length, int start) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, position, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed(start + HEADER_BYTES, "Text String " + Ttlv.tagName(tag) + " is not valid UTF-8");
        }
    }

    private void skipPadding(int count) {
        for (int i = 0; i < count; i++) {
            if (data[position + i] != 0) {
                throw malformed(position + i, "padding must be zero");
            }
        }
        position += count;
    }

    private int readInt(int at) {
        return ((data[at] & 0xFF) << 24) | ((data[at + 1] & 0xFF) << 16) | ((data[at + 2] & 0xFF) << 8)
                | (data[at + 3] & 0xFF);
    }

    private long readLong(int at) {
        return ((long) readInt(at) << 32) | (readInt(at + 4) & 0xFFFF_FFFFL);
    }

    private static KmsError malformed(int offset, String problem) {
        return KmsError.invalid("malformed TTLV at byte " + offset + ": " + problem);
    }
}
