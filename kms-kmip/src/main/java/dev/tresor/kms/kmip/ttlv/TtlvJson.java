package dev.tresor.kms.kmip.ttlv;

import dev.tresor.kms.service.KmsError;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The JSON encoding of TTLV (the KMIP JSON profile): every item is an object with {@code tag}
 * (the tag's name, or {@code 0x42…} in hex), {@code type} (left out for a Structure) and
 * {@code value}: a structure's items as an array; Integer, Long Integer and Interval as numbers
 * (hex strings are read too; a Long Integer of 2^52 or more is written as one, since JSON numbers
 * are doubles); usage masks as names joined by {@code |}; enumerations by name; Byte String
 * and Big Integer in hex; Date-Time in ISO 8601. The value spellings are those of
 * {@link TtlvXml}; the same message limits apply as to binary TTLV.
 */
public final class TtlvJson {
    private static final long LARGEST_EXACT = 1L << 52;

    private TtlvJson() {
    }

    /**
     * Reads one JSON-encoded message, checking the depth and item limits as it goes.
     *
     * @throws KmsError INVALID_ARGUMENT naming what is not valid
     */
    public static Ttlv read(String json, TtlvLimits limits) {
        JsonObject root;
        try {
            root = new JsonObject(json);
        } catch (DecodeException e) {
            throw KmsError.invalid("not a JSON object: " + e.getMessage());
        }
        return read(root, new ItemBudget(limits), 1, null);
    }

    private static Ttlv read(JsonObject object, ItemBudget budget, int depth, String attributeName) {
        budget.spend(depth);
        int tag = tag(object.getValue("tag"));
        Object typeName = object.getValue("type", ItemType.STRUCTURE.xmlName());
        ItemType type = typeName instanceof String name ? ItemType.byXmlName(name)
                .orElseThrow(() -> KmsError.invalid("unknown item type " + name)) : invalidType(typeName);
        Object value = object.getValue("value");
        if (type == ItemType.STRUCTURE) {
            if (!(value instanceof JsonArray array)) {
                throw KmsError.invalid("the value of structure " + object.getValue("tag") + " is not an array");
            }
            List<Ttlv> children = new ArrayList<>();
            String siblingName = null;
            for (Object child : array) {
                if (!(child instanceof JsonObject childObject)) {
                    throw KmsError.invalid("an item of structure " + object.getValue("tag") + " is not an object");
                }
                Ttlv item = read(childObject, budget, depth + 1, siblingName);
                if (item.is(Tag.ATTRIBUTE_NAME) && item.type() == ItemType.TEXT_STRING) {
                    siblingName = item.asText();
                }
                children.add(item);
            }
            return Ttlv.structure(tag, children);
        }
        String text = text(type, value);
        try {
            return new Ttlv(tag, type, TtlvXml.value(TtlvXml.valueTag(tag, attributeName), type, text));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw KmsError.invalid("bad " + type.xmlName() + " value '" + value + "' for tag " + object.getValue("tag"));
        }
    }

    private static ItemType invalidType(Object typeName) {
        throw KmsError.invalid("the type of an item is not a string: " + typeName);
    }

    private static int tag(Object tag) {
        if (!(tag instanceof String name)) {
            throw KmsError.invalid("an item has no tag name");
        }
        if (name.startsWith("0x")) {
            try {
                return Integer.parseInt(name.substring(2), 16);
            } catch (NumberFormatException e) {
                throw KmsError.invalid("bad tag " + name);
            }
        }
        return Tag.byName(name).orElseThrow(() -> KmsError.invalid("unknown tag " + name)).code();
    }

    /** The value in the spelling {@link TtlvXml} reads: numbers in decimal or hex, masks space-separated. */
    private static String text(ItemType type, Object value) {
        if (value instanceof String string) {
            return switch (type) {
                case INTEGER -> string.replace('|', ' ').trim();
                case LONG_INTEGER -> string.startsWith("0x")
                        ? Long.toString(Long.parseUnsignedLong(string.substring(2), 16)) : string;
                default -> string;
            };
        }
        if (value instanceof Boolean && type == ItemType.BOOLEAN) {
            return value.toString();
        }
        if (value instanceof Integer || value instanceof Long) {
            long number = ((Number) value).longValue();
            return switch (type) {
                case INTEGER, LONG_INTEGER, INTERVAL -> Long.toString(number);
                case ENUMERATION -> String.format("0x%08x", number);
                case BIG_INTEGER -> HexFormat.of().formatHex(TtlvWriter.signExtended(BigInteger.valueOf(number)));
                default -> throw KmsError.invalid("a " + type.xmlName() + " value is not a number: " + value);
            };
        }
        throw KmsError.invalid("bad " + type.xmlName() + " value " + value);
    }

    /** One item as JSON. */
    public static String write(Ttlv item) {
        return write(item, null).encode();
    }

    private static JsonObject write(Ttlv item, String attributeName) {
        Optional<Tag> known = Tag.of(item.tag());
        JsonObject object = new JsonObject().put("tag", known.map(Tag::xmlName)
                .orElse(String.format("0x%06x", item.tag())));
        if (item.type() == ItemType.STRUCTURE) {
            JsonArray children = new JsonArray();
            String siblingName = null;
            for (Ttlv child : item.items()) {
                children.add(write(child, siblingName));
                if (child.is(Tag.ATTRIBUTE_NAME) && child.type() == ItemType.TEXT_STRING) {
                    siblingName = child.asText();
                }
            }
            return object.put("value", children);
        }
        object.put("type", item.type().xmlName());
        int valueTag = TtlvXml.valueTag(item.tag(), attributeName);
        return switch (item.type()) {
            case INTEGER -> EnumerationNames.SPEC.isMask(valueTag)
                    ? object.put("value", TtlvXml.text(valueTag, item).replace(' ', '|'))
                    : object.put("value", item.asInt());
            case LONG_INTEGER -> item.asLong() > -LARGEST_EXACT && item.asLong() < LARGEST_EXACT
                    ? object.put("value", item.asLong())
                    : object.put("value", String.format("0x%016x", item.asLong()));
            case INTERVAL -> object.put("value", item.asInterval());
            case BOOLEAN -> object.put("value", item.asBoolean());
            default -> object.put("value", TtlvXml.text(valueTag, item));
        };
    }
}
