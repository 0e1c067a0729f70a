package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * KMIP attributes in their two wire forms. In 1.x an attribute is
 * {@code Attribute{AttributeName "Cryptographic Algorithm", AttributeValue}} inside a
 * Template-Attribute; in 2.x it is the tagged item itself inside {@code Attributes}, and only
 * vendor attributes keep the {@code Attribute} form (spec 2.1 section 2.1.1). Inside Tresor an
 * attribute is its spec name ("Cryptographic Usage Mask", or the client's "x-…" name) and its
 * values, each tagged {@code AttributeValue}.
 */
final class Attributes {
    /** Every tag's spec name, made once: looked up on every call that reads an object's attributes. */
    private static final Map<Tag, String> SPEC_NAMES = specNames();
    /** The Vendor Identification of clients' attributes (1.x's {@code x-} prefix). */
    private static final String CLIENT_VENDOR = "x";
    /** The Vendor Identification of Tresor's own attributes (1.x's {@code y-} prefix). */
    private static final String TRESOR_VENDOR = "y";

    /** Attributes later versions added, with the version that did. */
    private static final Map<String, ProtocolVersion> SINCE = Map.ofEntries(
            Map.entry(specName(Tag.CERTIFICATE_LENGTH), ProtocolVersion.V1_1),
            Map.entry(specName(Tag.X_509_CERTIFICATE_IDENTIFIER), ProtocolVersion.V1_1),
            Map.entry(specName(Tag.X_509_CERTIFICATE_SUBJECT), ProtocolVersion.V1_1),
            Map.entry(specName(Tag.X_509_CERTIFICATE_ISSUER), ProtocolVersion.V1_1),
            Map.entry(specName(Tag.FRESH), ProtocolVersion.V1_1),
            Map.entry(specName(Tag.ORIGINAL_CREATION_DATE), ProtocolVersion.V1_2),
            Map.entry(specName(Tag.RANDOM_NUMBER_GENERATOR), ProtocolVersion.V1_3),
            Map.entry(specName(Tag.SENSITIVE), ProtocolVersion.V1_4),
            Map.entry(specName(Tag.ALWAYS_SENSITIVE), ProtocolVersion.V1_4),
            Map.entry(specName(Tag.EXTRACTABLE), ProtocolVersion.V1_4),
            Map.entry(specName(Tag.NEVER_EXTRACTABLE), ProtocolVersion.V1_4),
            Map.entry(specName(Tag.KEY_FORMAT_TYPE), ProtocolVersion.V2_0),
            Map.entry(specName(Tag.SHORT_UNIQUE_IDENTIFIER), ProtocolVersion.V2_0),
            Map.entry(specName(Tag.PROTECTION_STORAGE_MASK), ProtocolVersion.V2_0));

    /**
     * Attributes the server derives from what the object is (how its key was made, its format,
     * the core's export rule, a certificate's own fields, its identifier) or grants (the lease): no
     * client supplies or changes them.
     */
    static final Set<String> SERVER_DERIVED = Stream.of(Stream.of(GeneratorAttribute.NAME, ProtectionStorage.NAME,
                    specName(Tag.KEY_FORMAT_TYPE), specName(Tag.SHORT_UNIQUE_IDENTIFIER), specName(Tag.LEASE_TIME),
                    specName(Tag.FRESH)),
                    Managed.exposureNames().stream(),
                    CertificateAttributes.names().stream())
            .flatMap(names -> names).collect(Collectors.toUnmodifiableSet());

    private Attributes() {
    }

    /** The attributes of a Template-Attribute (1.x) or Attributes (2.x) structure, by name in request order. */
    static Map<String, List<Ttlv>> read(Optional<Ttlv> container) {
        Map<String, List<Ttlv>> attributes = new LinkedHashMap<>();
        if (container.isEmpty()) {
            return attributes;
        }
        for (Ttlv item : container.get().items()) {
            if (item.is(Tag.ATTRIBUTE)) {
                String name = written(item);
                Ttlv value = item.require(Tag.ATTRIBUTE_VALUE);
                attributes.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            } else if (item.is(Tag.NAME) && container.get().is(Tag.TEMPLATE_ATTRIBUTE)) {
                throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, "templates are not supported");
            } else {
                String name = Tag.of(item.tag()).map(t -> specName(t))
                        .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD, "unknown attribute tag"));
                attributes.computeIfAbsent(name, n -> new ArrayList<>()).add(retag(item, Tag.ATTRIBUTE_VALUE.code()));
            }
        }
        return attributes;
    }

    /**
     * The name a 2.x vendor attribute (or a 1.x custom one) is kept under. A name with its own
     * {@code x-} or {@code y-} prefix is kept as it is; otherwise the Vendor Identification says
     * whose it is: none or {@code x} (the client's, as 1.x's {@code x-} prefix) keeps the name,
     * {@code y} (Tresor's) adds {@code y-}, and another vendor's is kept apart as
     * {@code <vendor>-<name>}.
     */
    static String vendorName(Ttlv attribute) {
        String name = canonical(attribute.require(Tag.ATTRIBUTE_NAME).asText());
        String vendor = attribute.find(Tag.VENDOR_IDENTIFICATION).map(Ttlv::asText).orElse("");
        if (name.startsWith("x-") || name.startsWith("y-") || vendor.isEmpty() || vendor.equals(CLIENT_VENDOR)) {
            return name;
        }
        return vendor + "-" + name;
    }

    /** {@link #vendorName} of an attribute a client writes: only its own ({@code x}) or Tresor's ({@code y}). */
    private static String written(Ttlv attribute) {
        String vendor = attribute.find(Tag.VENDOR_IDENTIFICATION).map(Ttlv::asText).orElse("");
        if (!vendor.isEmpty() && !vendor.equals(CLIENT_VENDOR) && !vendor.equals(TRESOR_VENDOR)) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "vendor attributes are kept under Vendor Identification '"
                    + CLIENT_VENDOR + "', not '" + vendor + "'");
        }
        return vendorName(attribute);
    }

    /** The 2.x Vendor Identification of a custom attribute: {@code y} for Tresor's, else the client's {@code x}. */
    static String vendorOf(String name) {
        return serverSet(name) ? TRESOR_VENDOR : CLIENT_VENDOR;
    }

    /** The first value of an attribute, if set. */
    static Optional<Ttlv> first(Map<String, List<Ttlv>> attributes, Tag tag) {
        List<Ttlv> values = attributes.get(specName(tag));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The spec's name of a standard attribute ("Cryptographic Usage Mask"); custom names are kept, blanks collapsed. */
    static String canonical(String name) {
        String collapsed = name.trim().replaceAll("\\s+", " ");
        if (collapsed.startsWith("x-") || collapsed.startsWith("y-")) {
            return collapsed;
        }
        return Tag.byName(collapsed).map(Attributes::specName).orElse(collapsed);
    }

    /** A custom attribute: a client's {@code x-…}, Tresor's {@code y-…}, or a 2.x vendor attribute of another name. */
    static boolean custom(String name) {
        return name.startsWith("x-") || name.startsWith("y-") || Tag.byName(name).isEmpty();
    }

    /** Tresor's own attributes ({@code y-…}): set by the server only. */
    static boolean serverSet(String name) {
        return name.startsWith("y-");
    }

    static String specName(Tag tag) {
        return SPEC_NAMES.get(tag);
    }

    private static Map<Tag, String> specNames() {
        Pattern wordStart = Pattern.compile("(?<=[a-z])(?=[A-Z])");
        Map<Tag, String> names = new EnumMap<>(Tag.class);
        for (Tag tag : Tag.values()) {
            names.put(tag, wordStart.matcher(tag.xmlName().replace("X_509", "X.509 ").replace("_", "")).replaceAll(" "));
        }
        return Collections.unmodifiableMap(names);
    }

    /** One attribute value on the wire of {@code version}. */
    static Ttlv encode(String name, Ttlv value, ProtocolVersion version) {
        Optional<Tag> tag = name.startsWith("x-") || name.startsWith("y-") ? Optional.empty() : Tag.byName(name);
        if (version.isTwoOrLater() && tag.isPresent()) {
            return retag(value, tag.get().code());
        }
        if (version.isTwoOrLater()) {
            return Ttlv.structure(Tag.ATTRIBUTE,
                    Ttlv.text(Tag.VENDOR_IDENTIFICATION, vendorOf(name)),
                    Ttlv.text(Tag.ATTRIBUTE_NAME, name),
                    retag(value, Tag.ATTRIBUTE_VALUE.code()));
        }
        return Ttlv.structure(Tag.ATTRIBUTE,
                Ttlv.text(Tag.ATTRIBUTE_NAME, name),
                retag(value, Tag.ATTRIBUTE_VALUE.code()));
    }

    /** Every value of every attribute {@code version} knows, in order, on the wire of {@code version}. */
    static List<Ttlv> encodeAll(Map<String, List<Ttlv>> attributes, ProtocolVersion version) {
        List<Ttlv> encoded = new ArrayList<>();
        attributes.forEach((name, values) -> {
            if (known(name, version)) {
                values.forEach(v -> encoded.add(encode(name, v, version)));
            }
        });
        return encoded;
    }

    /** Whether clients of {@code version} know the attribute: those a later version added are left out for them. */
    static boolean known(String name, ProtocolVersion version) {
        if (CertificateAttributes.namePart(name)) {
            return version.isTwoOrLater();
        }
        return version.atLeast(SINCE.getOrDefault(name, ProtocolVersion.V1_0));
    }

    /**
     * The attributes a request names: 1.x Attribute Names, or 2.x Attribute References (an
     * enumeration holding the tag, or a vendor name).
     */
    static List<String> requestedNames(Ttlv request) {
        List<String> names = new ArrayList<>();
        for (Ttlv item : request.items()) {
            if (item.is(Tag.ATTRIBUTE_NAME)) {
                names.add(canonical(item.asText()));
            } else if (item.is(Tag.ATTRIBUTE_REFERENCE)) {
                if (item.type() == ItemType.ENUMERATION) {
                    names.add(Tag.of(item.asEnum()).map(Attributes::specName)
                            .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD, "unknown attribute tag")));
                } else {
                    names.add(vendorName(item));
                }
            }
        }
        return names;
    }

    /** One attribute of an edit request, its value tagged {@code AttributeValue}. */
    record Named(String name, int index, Ttlv value) {
    }

    /**
     * The attribute of an edit: a 1.x {@code Attribute{Name, Index?, Value}}, or a 2.x wrapper
     * (New Attribute, Current Attribute) around one tagged item.
     */
    static Named single(Ttlv attribute) {
        if (attribute.is(Tag.ATTRIBUTE)) {
            return new Named(written(attribute),
                    attribute.find(Tag.ATTRIBUTE_INDEX).map(Ttlv::asInt).orElse(0),
                    attribute.require(Tag.ATTRIBUTE_VALUE));
        }
        List<Ttlv> items = attribute.items();
        if (items.size() != 1) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "an attribute wrapper holds exactly one attribute");
        }
        Ttlv item = items.get(0);
        if (item.is(Tag.ATTRIBUTE)) {
            return single(item);
        }
        String name = Tag.of(item.tag()).map(Attributes::specName)
                .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD, "unknown attribute tag"));
        return new Named(name, 0, retag(item, Tag.ATTRIBUTE_VALUE.code()));
    }

    static Ttlv retag(Ttlv value, int tag) {
        return new Ttlv(tag, value.type(), value.value());
    }
}
