package dev.tresor.kms.kmip.ttlv;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One TTLV item: a tag, a type and a value whose Java class follows the type. Structure → an
 * unmodifiable {@code List<Ttlv>}; Integer and Enumeration → {@code Integer} (an enumeration is
 * unsigned, read it with {@link #asEnum()}); Long Integer and Interval → {@code Long} (an interval
 * is an unsigned 32-bit count of seconds); Big Integer → {@code BigInteger}; Boolean →
 * {@code Boolean}; Text String → {@code String}; Byte String → {@link Bytes}; Date-Time →
 * {@code Instant} of whole seconds; Date-Time Extended → {@code Instant} of whole microseconds.
 * The tag is a plain number so that extension tags (0x54xxxx) pass through.
 */
public record Ttlv(int tag, ItemType type, Object value) {
    public Ttlv {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((tag & 0xFF000000) != 0) {
            throw new IllegalArgumentException("a tag has three bytes: " + Integer.toHexString(tag));
        }
        value = checked(type, value);
    }

    private static Object checked(ItemType type, Object value) {
        Class<?> expected = switch (type) {
            case STRUCTURE -> List.class;
            case INTEGER, ENUMERATION -> Integer.class;
            case LONG_INTEGER, INTERVAL -> Long.class;
            case BIG_INTEGER -> BigInteger.class;
            case BOOLEAN -> Boolean.class;
            case TEXT_STRING -> String.class;
            case BYTE_STRING -> Bytes.class;
            case DATE_TIME, DATE_TIME_EXTENDED -> Instant.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + " needs a " + expected.getSimpleName());
        }
        if (type == ItemType.STRUCTURE) {
            List<?> items = (List<?>) value;
            for (Object item : items) {
                if (!(item instanceof Ttlv)) {
                    throw new IllegalArgumentException("a structure holds only TTLV items");
                }
            }
            return List.copyOf(items);
        }
        if (type == ItemType.INTERVAL && ((Long) value < 0 || (Long) value > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("an interval is an unsigned 32-bit count of seconds");
        }
        if (type == ItemType.DATE_TIME && ((Instant) value).getNano() != 0) {
            throw new IllegalArgumentException("a Date-Time holds whole seconds");
        }
        if (type == ItemType.DATE_TIME_EXTENDED && ((Instant) value).getNano() % 1000 != 0) {
            throw new IllegalArgumentException("a Date-Time Extended holds whole microseconds");
        }
        return value;
    }

    public static Ttlv structure(int tag, List<Ttlv> items) {
        return new Ttlv(tag, ItemType.STRUCTURE, items);
    }

    public static Ttlv structure(Tag tag, List<Ttlv> items) {
        return structure(tag.code(), items);
    }

    public static Ttlv structure(Tag tag, Ttlv... items) {
        return structure(tag.code(), List.of(items));
    }

    public static Ttlv integer(Tag tag, int value) {
        return new Ttlv(tag.code(), ItemType.INTEGER, value);
    }

    public static Ttlv longInteger(Tag tag, long value) {
        return new Ttlv(tag.code(), ItemType.LONG_INTEGER, value);
    }

    public static Ttlv bigInteger(Tag tag, BigInteger value) {
        return new Ttlv(tag.code(), ItemType.BIG_INTEGER, value);
    }

    public static Ttlv enumeration(Tag tag, int value) {
        return new Ttlv(tag.code(), ItemType.ENUMERATION, value);
    }

    public static Ttlv bool(Tag tag, boolean value) {
        return new Ttlv(tag.code(), ItemType.BOOLEAN, value);
    }

    public static Ttlv text(Tag tag, String value) {
        return new Ttlv(tag.code(), ItemType.TEXT_STRING, value);
    }

    public static Ttlv bytes(Tag tag, Bytes value) {
        return new Ttlv(tag.code(), ItemType.BYTE_STRING, value);
    }

    public static Ttlv dateTime(Tag tag, Instant value) {
        return new Ttlv(tag.code(), ItemType.DATE_TIME, value);
    }

    public static Ttlv interval(Tag tag, long seconds) {
        return new Ttlv(tag.code(), ItemType.INTERVAL, seconds);
    }

    public boolean is(Tag tag) {
        return this.tag == tag.code();
    }

    /** The children of a structure. */
    @SuppressWarnings("unchecked")
    public List<Ttlv> items() {
        return (List<Ttlv>) as(ItemType.STRUCTURE);
    }

    /** The first child with this tag, if this structure has one. */
    public Optional<Ttlv> find(Tag tag) {
        for (Ttlv item : items()) {
            if (item.tag == tag.code()) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    /** The first child with this tag; its absence is the client's error. */
    public Ttlv require(Tag tag) {
        return find(tag).orElseThrow(() -> KmsError.invalid(tagName(this.tag) + " lacks " + tag.xmlName()));
    }

    public List<Ttlv> all(Tag tag) {
        List<Ttlv> found = new ArrayList<>();
        for (Ttlv item : items()) {
            if (item.tag == tag.code()) {
                found.add(item);
            }
        }
        return found;
    }

    public int asInt() {
        return (Integer) as(ItemType.INTEGER);
    }

    /** An enumeration value, unsigned: extensions 0x8XXXXXXX come back as negative ints, compare them as such. */
    public int asEnum() {
        return (Integer) as(ItemType.ENUMERATION);
    }

    public long asLong() {
        return (Long) as(ItemType.LONG_INTEGER);
    }

    public BigInteger asBigInteger() {
        return (BigInteger) as(ItemType.BIG_INTEGER);
    }

    public boolean asBoolean() {
        return (Boolean) as(ItemType.BOOLEAN);
    }

    public String asText() {
        return (String) as(ItemType.TEXT_STRING);
    }

    public Bytes asBytes() {
        return (Bytes) as(ItemType.BYTE_STRING);
    }

    public Instant asDateTime() {
        return (Instant) as(ItemType.DATE_TIME);
    }

    public long asInterval() {
        return (Long) as(ItemType.INTERVAL);
    }

    private Object as(ItemType wanted) {
        if (type != wanted) {
            throw KmsError.invalid(tagName(tag) + " must be a " + wanted.xmlName() + ", not a " + type.xmlName());
        }
        return value;
    }

    static String tagName(int tag) {
        return Tag.of(tag).map(Tag::xmlName).orElseGet(() -> String.format("tag 0x%06X", tag));
    }
}
