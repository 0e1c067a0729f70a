package dev.tresor.kms.kmip.ttlv;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The XML encoding of TTLV used by the OASIS test cases: an element per item named by its tag,
 * with {@code type} and {@code value} attributes for primitives and child elements for
 * structures; unknown tags as {@code <TTLV tag="0x540001" …>}. Enumerations and usage masks are
 * written by name. A 1.x {@code AttributeValue} is named after its sibling
 * {@code AttributeName}, and a 2.x {@code AttributeReference} enumeration holds a tag.
 */
public final class TtlvXml {
    /** Supplies the text for a {@code $PLACEHOLDER} value of a test case, given the item type. */
    @FunctionalInterface
    public interface Placeholders {
        Placeholders NONE = (type, name) -> {
            throw KmsError.invalid("unresolved placeholder " + name);
        };

        String resolve(ItemType type, String placeholder);
    }

    private static final String UNKNOWN_TAG = "TTLV";
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");
    private static final DateTimeFormatter DATE_TIME_EXTENDED =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");
    private static final HexFormat HEX = HexFormat.of();

    private TtlvXml() {
    }

    /** Parses an XML document without DTDs or external entities. */
    public static Document parseDocument(InputStream in) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(in);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    /** The element children of {@code parent}, skipping text (the older files hold stray notes) and comments. */
    public static List<Element> childElements(Element parent) {
        List<Element> children = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element) {
                children.add(element);
            }
        }
        return children;
    }

    public static Ttlv read(Element element, Placeholders placeholders) {
        return read(element, placeholders, null, new ItemBudget(new TtlvLimits(Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE)), 1);
    }

    /**
     * Reads a message a client sent, checking the depth and item limits before each element is read.
     *
     * @throws KmsError INVALID_ARGUMENT naming what is not valid
     */
    public static Ttlv read(Element element, TtlvLimits limits) {
        return read(element, Placeholders.NONE, null, new ItemBudget(limits), 1);
    }

    private static Ttlv read(Element element, Placeholders placeholders, String attributeName, ItemBudget budget,
                             int depth) {
        budget.spend(depth);
        int tag = tagOf(element);
        String typeName = element.getAttribute("type");
        ItemType type = typeName.isEmpty() ? ItemType.STRUCTURE : ItemType.byXmlName(typeName)
                .orElseThrow(() -> KmsError.invalid("unknown item type " + typeName + " in " + element.getTagName()));
        if (type == ItemType.STRUCTURE) {
            List<Ttlv> items = new ArrayList<>();
            String siblingName = null;
            for (Element child : childElements(element)) {
                Ttlv item = read(child, placeholders, siblingName, budget, depth + 1);
                if (item.is(Tag.ATTRIBUTE_NAME) && item.type() == ItemType.TEXT_STRING) {
                    siblingName = item.asText();
                }
                items.add(item);
            }
            return Ttlv.structure(tag, items);
        }
        String text = element.getAttribute("value");
        if (text.startsWith("$")) {
            text = placeholders.resolve(type, text);
        }
        try {
            return new Ttlv(tag, type, value(valueTag(tag, attributeName), type, text));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw KmsError.invalid("bad " + typeName + " value '" + text + "' in " + element.getTagName());
        }
    }

    private static int tagOf(Element element) {
        if (element.getTagName().equals(UNKNOWN_TAG)) {
            try {
                return Integer.decode(element.getAttribute("tag"));
            } catch (NumberFormatException e) {
                throw KmsError.invalid("bad tag " + element.getAttribute("tag"));
            }
        }
        return Tag.byName(element.getTagName())
                .orElseThrow(() -> KmsError.invalid("unknown tag " + element.getTagName()))
                .code();
    }

    /** The tag whose names an enumeration or mask value uses: an attribute value is named after its attribute. */
    static int valueTag(int tag, String attributeName) {
        if (tag == Tag.ATTRIBUTE_VALUE.code() && attributeName != null) {
            return Tag.byName(attributeName).map(Tag::code).orElse(tag);
        }
        return tag;
    }

    static Object value(int tag, ItemType type, String text) {
        return switch (type) {
            case STRUCTURE -> throw new IllegalStateException("structures have no value");
            case INTEGER -> integer(tag, text);
            case LONG_INTEGER -> Long.decode(text);
            case BIG_INTEGER -> new BigInteger(hex(text));
            case ENUMERATION -> enumeration(tag, text);
            case BOOLEAN -> bool(text);
            case TEXT_STRING -> text;
            case BYTE_STRING -> Bytes.wrap(hex(text));
            case DATE_TIME -> OffsetDateTime.parse(text).toInstant();
            case INTERVAL -> Long.decode(text);
            case DATE_TIME_EXTENDED -> OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MICROS);
        };
    }

    private static Integer integer(int tag, String text) {
        if (EnumerationNames.SPEC.isMask(tag) && !text.isEmpty() && Character.isLetter(text.charAt(0))) {
            return EnumerationNames.SPEC.maskValue(tag, text)
                    .orElseThrow(() -> new IllegalArgumentException("unknown mask bit"));
        }
        return text.startsWith("0x") ? Integer.parseUnsignedInt(text.substring(2), 16) : Integer.parseInt(text);
    }

    private static Integer enumeration(int tag, String text) {
        if (text.startsWith("0x")) {
            return Integer.parseUnsignedInt(text.substring(2), 16);
        }
        if (tag == Tag.ATTRIBUTE_REFERENCE.code()) {
            return Tag.byName(text).map(Tag::code).orElseThrow(() -> new IllegalArgumentException("unknown tag"));
        }
        return EnumerationNames.SPEC.value(tag, text).orElseThrow(() -> new IllegalArgumentException("unknown name"));
    }

    private static Boolean bool(String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static byte[] hex(String text) {
        return HEX.parseHex(text.startsWith("0x") ? text.substring(2) : text);
    }

    public static Element write(Document document, Ttlv item) {
        return write(document, item, null);
    }

    private static Element write(Document document, Ttlv item, String attributeName) {
        Optional<Tag> known = Tag.of(item.tag());
        Element element = document.createElement(known.map(Tag::xmlName).orElse(UNKNOWN_TAG));
        if (known.isEmpty()) {
            element.setAttribute("tag", String.format("0x%06x", item.tag()));
        }
        if (item.type() == ItemType.STRUCTURE) {
            String siblingName = null;
            for (Ttlv child : item.items()) {
                element.appendChild(write(document, child, siblingName));
                if (child.is(Tag.ATTRIBUTE_NAME) && child.type() == ItemType.TEXT_STRING) {
                    siblingName = child.asText();
                }
            }
            return element;
        }
        element.setAttribute("type", item.type().xmlName());
        element.setAttribute("value", text(valueTag(item.tag(), attributeName), item));
        return element;
    }

    static String text(int tag, Ttlv item) {
        return switch (item.type()) {
            case STRUCTURE -> throw new IllegalStateException("structures have no value");
            case INTEGER -> EnumerationNames.SPEC.isMask(tag)
                    ? EnumerationNames.SPEC.maskNames(tag, item.asInt()).orElse(Integer.toString(item.asInt()))
                    : Integer.toString(item.asInt());
            case LONG_INTEGER -> Long.toString(item.asLong());
            case BIG_INTEGER -> HEX.formatHex(TtlvWriter.signExtended(item.asBigInteger()));
            case ENUMERATION -> enumerationName(tag, item.asEnum());
            case BOOLEAN -> Boolean.toString(item.asBoolean());
            case TEXT_STRING -> item.asText();
            case BYTE_STRING -> HEX.formatHex(item.asBytes().toArray());
            case DATE_TIME -> DATE_TIME.format(item.asDateTime().atOffset(ZoneOffset.UTC));
            case INTERVAL -> Long.toString(item.asInterval());
            case DATE_TIME_EXTENDED -> DATE_TIME_EXTENDED.format(((Instant) item.value()).atOffset(ZoneOffset.UTC));
        };
    }

    private static String enumerationName(int tag, int value) {
        if (tag == Tag.ATTRIBUTE_REFERENCE.code()) {
            return Tag.of(value).map(Tag::xmlName).orElse(String.format("0x%08x", value));
        }
        return EnumerationNames.SPEC.name(tag, value).orElse(String.format("0x%08x", value));
    }

    /** One item as an indented XML document. */
    public static String toXml(Ttlv item) {
        try {
            Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            document.appendChild(write(document, item));
            Transformer transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            transformer.setOutputProperty(OutputKeys.INDENT, "yes");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(document), new StreamResult(out));
            return out.toString();
        } catch (ParserConfigurationException | TransformerException e) {
            throw new IllegalStateException("the JDK XML writer failed", e);
        }
    }
}
