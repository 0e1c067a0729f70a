package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.List;

/** A KMIP protocol version; Tresor speaks 1.0 to 1.4 and 2.0 to 2.1 and answers each request in its own version. */
public record ProtocolVersion(int major, int minor) implements Comparable<ProtocolVersion> {
    public static final ProtocolVersion V1_0 = new ProtocolVersion(1, 0);
    public static final ProtocolVersion V1_1 = new ProtocolVersion(1, 1);
    public static final ProtocolVersion V1_2 = new ProtocolVersion(1, 2);
    public static final ProtocolVersion V1_3 = new ProtocolVersion(1, 3);
    public static final ProtocolVersion V1_4 = new ProtocolVersion(1, 4);
    public static final ProtocolVersion V2_0 = new ProtocolVersion(2, 0);
    public static final ProtocolVersion V2_1 = new ProtocolVersion(2, 1);

    /** Best first, as Discover Versions lists them. */
    public static final List<ProtocolVersion> SUPPORTED = List.of(V2_1, V2_0, V1_4, V1_3, V1_2, V1_1, V1_0);

    public static ProtocolVersion from(Ttlv version) {
        return new ProtocolVersion(version.require(Tag.PROTOCOL_VERSION_MAJOR).asInt(),
                version.require(Tag.PROTOCOL_VERSION_MINOR).asInt());
    }

    public Ttlv toTtlv() {
        return Ttlv.structure(Tag.PROTOCOL_VERSION,
                Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, major),
                Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, minor));
    }

    public boolean isSupported() {
        return SUPPORTED.contains(this);
    }

    /** KMIP 2.x: Attributes instead of Template-Attribute, 2.x result reasons, batch order on by default. */
    public boolean isTwoOrLater() {
        return major >= 2;
    }

    public boolean atLeast(ProtocolVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(ProtocolVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
