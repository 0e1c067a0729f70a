package dev.tresor.kms.kmip.ttlv;

import java.util.Optional;

/**
 * TTLV item types (spec 2.1 section 11.25). The fixed-size types carry their exact value length;
 * Integer, Enumeration and Interval are followed by 4 zero bytes of padding on the wire.
 */
public enum ItemType {
    STRUCTURE(0x01, "Structure", -1),
    INTEGER(0x02, "Integer", 4),
    LONG_INTEGER(0x03, "LongInteger", 8),
    BIG_INTEGER(0x04, "BigInteger", -1),
    ENUMERATION(0x05, "Enumeration", 4),
    BOOLEAN(0x06, "Boolean", 8),
    TEXT_STRING(0x07, "TextString", -1),
    BYTE_STRING(0x08, "ByteString", -1),
    DATE_TIME(0x09, "DateTime", 8),
    INTERVAL(0x0A, "Interval", 4),
    /** KMIP 2.0 and later: microseconds since the epoch. */
    DATE_TIME_EXTENDED(0x0B, "DateTimeExtended", 8);

    private static final ItemType[] BY_CODE = new ItemType[0x0C];

    static {
        for (ItemType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final String xmlName;
    private final int fixedLength;

    ItemType(int code, String xmlName, int fixedLength) {
        this.code = code;
        this.xmlName = xmlName;
        this.fixedLength = fixedLength;
    }

    public int code() {
        return code;
    }

    public String xmlName() {
        return xmlName;
    }

    /** The exact value length of a fixed-size type, or -1 for the variable-length ones. */
    int fixedLength() {
        return fixedLength;
    }

    public static Optional<ItemType> of(int code) {
        return code > 0 && code < BY_CODE.length ? Optional.ofNullable(BY_CODE[code]) : Optional.empty();
    }

    public static Optional<ItemType> byXmlName(String name) {
        for (ItemType type : values()) {
            if (type.xmlName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
