package dev.tresor.kms.kmip.ttlv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.service.Bytes;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random trees of every item type survive binary and XML encoding unchanged. */
class TtlvRoundTripPropertyTest {
    private static final Tag[] TAGS = Tag.values();

    @Test
    void randomTreesRoundTripThroughBinaryAndXml() {
        Random random = new Random(20261123);
        for (int i = 0; i < 2_000; i++) {
            Ttlv tree = Ttlv.structure(Tag.REQUEST_MESSAGE, children(random, 1));
            byte[] wire = TtlvWriter.write(tree);
            assertEquals(wire.length, TtlvWriter.encodedLength(tree));
            assertEquals(0, wire.length % 8);
            Ttlv decoded = TtlvReader.read(wire, TtlvLimits.DEFAULT);
            assertEquals(tree, decoded);
            assertArrayEquals(wire, TtlvWriter.write(decoded));
            assertEquals(tree, TtlvXml.read(TtlvXml.write(newDocument(), tree), TtlvXml.Placeholders.NONE));
        }
    }

    private static List<Ttlv> children(Random random, int depth) {
        List<Ttlv> items = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            items.add(item(random, depth));
        }
        return items;
    }

    private static Ttlv item(Random random, int depth) {
        ItemType type = ItemType.values()[random.nextInt(ItemType.values().length)];
        // Extension tags exercise the <TTLV tag=…> form; ATTRIBUTE_VALUE is left out because its
        // XML names depend on a sibling, which random trees do not have.
        int tag = random.nextInt(8) == 0 ? 0x540000 + random.nextInt(0x100) : randomTag(random);
        Object value = switch (type) {
            case STRUCTURE -> depth < 6 ? children(random, depth + 1) : List.of();
            case INTEGER, ENUMERATION -> random.nextInt();
            case LONG_INTEGER -> random.nextLong();
            case INTERVAL -> random.nextLong() & 0xFFFF_FFFFL;
            case BIG_INTEGER -> new BigInteger(random.nextInt(600) + 1, random).subtract(BigInteger.ONE.shiftLeft(random.nextInt(300)));
            case BOOLEAN -> random.nextBoolean();
            case TEXT_STRING -> randomText(random);
            case BYTE_STRING -> {
                byte[] bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
                yield Bytes.wrap(bytes);
            }
            case DATE_TIME -> Instant.ofEpochSecond(random.nextInt() & 0x7FFF_FFFFL);
            case DATE_TIME_EXTENDED -> Instant.ofEpochSecond(random.nextInt() & 0x7FFF_FFFFL)
                    .plus(random.nextInt(1_000_000), ChronoUnit.MICROS);
        };
        return new Ttlv(tag, type, value);
    }

    private static int randomTag(Random random) {
        Tag tag;
        do {
            tag = TAGS[random.nextInt(TAGS.length)];
        } while (tag == Tag.ATTRIBUTE_VALUE);
        return tag.code();
    }

    private static String randomText(Random random) {
        String alphabet = "aZ09 -_Αλφα€😀";
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(30);
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(alphabet.codePoints().toArray()[random.nextInt((int) alphabet.codePoints().count())]);
        }
        return text.toString();
    }

    private static org.w3c.dom.Document newDocument() {
        try {
            return javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
