package dev.tresor.kms.kmip.ttlv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TtlvReader#peekInteger} reads a hint from undecoded bytes: the value where the path leads,
 * else empty, and never an exception, whatever the bytes say.
 */
class TtlvPeekTest {
    private static final int ENCRYPT = 0x1F;

    private static Ttlv header(Ttlv... fields) {
        return Ttlv.structure(Tag.REQUEST_HEADER, fields);
    }

    private static Ttlv version() {
        return Ttlv.structure(Tag.PROTOCOL_VERSION, Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, 2),
                Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, 1));
    }

    private static Ttlv encryptItem() {
        return Ttlv.structure(Tag.BATCH_ITEM, Ttlv.enumeration(Tag.OPERATION, ENCRYPT),
                Ttlv.structure(Tag.REQUEST_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, "k")));
    }

    private static byte[] message(Ttlv... children) {
        return TtlvWriter.write(Ttlv.structure(Tag.REQUEST_MESSAGE, children));
    }

    private static byte[] encrypts(int declared, int items) {
        Ttlv[] children = new Ttlv[items + 1];
        children[0] = header(version(), Ttlv.integer(Tag.BATCH_COUNT, declared));
        Arrays.fill(children, 1, items + 1, encryptItem());
        return message(children);
    }

    private static OptionalInt batchCount(byte[] message) {
        return TtlvReader.peekInteger(message, ItemType.INTEGER, Tag.REQUEST_HEADER, Tag.BATCH_COUNT);
    }

    private static OptionalInt operation(byte[] message) {
        return TtlvReader.peekInteger(message, ItemType.ENUMERATION, Tag.BATCH_ITEM, Tag.OPERATION);
    }

    /** Where the item of {@code tag} starts in {@code bytes}: its first occurrence. */
    private static int offsetOf(byte[] bytes, Tag tag) {
        for (int at = 0; at + 3 <= bytes.length; at++) {
            if (((bytes[at] & 0xFF) << 16 | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF)) == tag.code()) {
                return at;
            }
        }
        throw new AssertionError(tag + " not in the bytes");
    }

    @Test
    void readsTheDeclaredBatchCountAndTheFirstItemsOperation() {
        assertEquals(OptionalInt.of(1), batchCount(encrypts(1, 1)));
        assertEquals(OptionalInt.of(ENCRYPT), operation(encrypts(1, 1)));
        assertEquals(OptionalInt.of(2), batchCount(encrypts(2, 2)));
    }

    /** The lie a client may tell: the hint says one item, the full decode later refuses it. */
    @Test
    void readsTheBatchCountTheHeaderDeclaresNotTheItemsThere() {
        assertEquals(OptionalInt.of(1), batchCount(encrypts(1, 2)));
    }

    @Test
    void fewerBytesThanTwoHeadersHoldNothing() {
        byte[] whole = encrypts(1, 1);
        for (int length = 0; length < 2 * TtlvReader.HEADER_BYTES; length++) {
            byte[] prefix = Arrays.copyOf(whole, length);
            assertEquals(OptionalInt.empty(), batchCount(prefix), "length " + length);
            assertEquals(OptionalInt.empty(), operation(prefix), "length " + length);
        }
    }

    @Test
    void aTruncatedMessageGivesTheValueOnlyIfItIsWhollyThere() {
        byte[] whole = encrypts(1, 1);
        int countEnds = offsetOf(whole, Tag.BATCH_COUNT) + 2 * TtlvReader.HEADER_BYTES;
        for (int length = 0; length < whole.length; length++) {
            OptionalInt peeked = batchCount(Arrays.copyOf(whole, length));
            assertEquals(length >= countEnds ? OptionalInt.of(1) : OptionalInt.empty(), peeked, "length " + length);
        }
    }

    @Test
    void aMessageWithoutARequestHeaderHasNoBatchCount() {
        assertEquals(OptionalInt.empty(), batchCount(message(encryptItem())));
        assertEquals(OptionalInt.empty(), batchCount(message(Ttlv.integer(Tag.BATCH_COUNT, 1), encryptItem())));
    }

    @Test
    void aBatchCountOfAnotherTypeOrLengthIsNoHint() {
        assertEquals(OptionalInt.empty(), batchCount(message(header(version(), Ttlv.longInteger(Tag.BATCH_COUNT, 1)))));
        assertEquals(OptionalInt.empty(), batchCount(message(header(version(), Ttlv.enumeration(Tag.BATCH_COUNT, 1)))));
        byte[] eightBytes = message(header(version(), Ttlv.longInteger(Tag.BATCH_COUNT, 1)));
        eightBytes[offsetOf(eightBytes, Tag.BATCH_COUNT) + 3] = (byte) ItemType.INTEGER.code();
        assertEquals(OptionalInt.empty(), batchCount(eightBytes), "an Integer that declares 8 bytes");
    }

    @Test
    void aBatchCountInsideANestedStructureIsNotTheHeaders() {
        Ttlv nested = Ttlv.structure(Tag.PROTOCOL_VERSION, Ttlv.integer(Tag.BATCH_COUNT, 1));
        assertEquals(OptionalInt.empty(), batchCount(message(header(nested), encryptItem())));
    }

    @Test
    void aHeaderLengthBeyondTheFrameIsReadOnlyAsFarAsTheFrameGoes() {
        byte[] lying = encrypts(1, 1);
        int header = offsetOf(lying, Tag.REQUEST_HEADER);
        Arrays.fill(lying, header + 4, header + 8, (byte) 0xFF);

        assertEquals(OptionalInt.of(1), batchCount(lying), "the count is still within the bytes");
        assertEquals(OptionalInt.empty(), operation(lying), "the item lies past the header's declared end");
        byte[] cut = Arrays.copyOf(lying, offsetOf(lying, Tag.BATCH_COUNT) + 4);
        assertEquals(OptionalInt.empty(), batchCount(cut));
    }

    @Test
    void noBytesMakeItThrow() {
        Random random = new Random(20261124);
        List<byte[]> valid = List.of(encrypts(1, 1), encrypts(3, 2));
        for (int round = 0; round < 20_000; round++) {
            byte[] mutated = MutatedInputs.of(random, round, 96, valid.get(random.nextInt(valid.size())));
            byte[] bytes = Arrays.copyOf(mutated, random.nextInt(mutated.length + 1));
            OptionalInt count = batchCount(bytes);
            OptionalInt operation = operation(bytes);
            assertTrue(count.isEmpty() || bytes.length >= 2 * TtlvReader.HEADER_BYTES + 4);
            assertTrue(operation.isEmpty() || bytes.length >= 2 * TtlvReader.HEADER_BYTES + 4);
        }
    }
}
