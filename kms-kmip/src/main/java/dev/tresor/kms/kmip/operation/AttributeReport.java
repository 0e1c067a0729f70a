package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.service.Bytes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every attribute the server reports for an object: its own (derived and stored), the Digest
 * and Fresh, the Lease Time and the Short Unique Identifier, in the one order that Get Attributes (asked for
 * all) and Get Attribute List share: custom attributes first in the order they were set, then Unique Identifier,
 * Short Unique Identifier, Object Type, Cryptographic Algorithm and Length, then the rest by
 * name, Key Format Type right after the Digest it qualifies. Tresor's own {@code y-…} attributes
 * (derived, read-only) are answered only when a Get Attributes names them, in every version.
 */
final class AttributeReport {
    private static final int SHA_256 = 0x06;
    private static final List<String> IDENTITY = Stream.of(Tag.UNIQUE_IDENTIFIER, Tag.SHORT_UNIQUE_IDENTIFIER,
            Tag.OBJECT_TYPE, Tag.CRYPTOGRAPHIC_ALGORITHM, Tag.CRYPTOGRAPHIC_LENGTH).map(Attributes::specName).toList();
    private static final String DIGEST = Attributes.specName(Tag.DIGEST);
    private static final String KEY_FORMAT_TYPE = Attributes.specName(Tag.KEY_FORMAT_TYPE);
    private static final String FRESH = Attributes.specName(Tag.FRESH);

    private final Lease lease;

    AttributeReport(Lease lease) {
        this.lease = lease;
    }

    /**
     * The object's attributes, in order; a key's Digest, Fresh and {@code y-tresor-generated} only when
     * {@code fromVersion} (they take a core call), and only what clients of the context's version know.
     */
    Map<String, List<Ttlv>> of(OperationContext context, Managed object, boolean fromVersion) {
        Map<String, List<Ttlv>> all = new LinkedHashMap<>(object.attributes());
        all.put(Attributes.specName(Tag.SHORT_UNIQUE_IDENTIFIER),
                List.of(Ttlv.bytes(Tag.ATTRIBUTE_VALUE, context.keys().identifierDigest(object.uid()))));
        if (Lease.applies(object)) {
            all.put(Attributes.specName(Tag.LEASE_TIME), List.of(lease.value()));
        }
        if (fromVersion && object instanceof KmipObject key) {
            putFromVersion(all, context, key);
        }
        all.keySet().removeIf(name -> !Attributes.known(name, context.version()));
        return ordered(all);
    }

    /** What Get Attributes asked for all and Get Attribute List answer: {@link #of}, without Tresor's own attributes. */
    Map<String, List<Ttlv>> listed(OperationContext context, Managed object, boolean fromVersion) {
        Map<String, List<Ttlv>> all = of(context, object, fromVersion);
        all.keySet().removeIf(Attributes::serverSet);
        return all;
    }

    static Map<String, List<Ttlv>> ordered(Map<String, List<Ttlv>> attributes) {
        List<String> names = new ArrayList<>(attributes.keySet().stream().filter(Attributes::custom).toList());
        IDENTITY.stream().filter(attributes::containsKey).forEach(names::add);
        attributes.keySet().stream().filter(name -> !names.contains(name) && !name.equals(KEY_FORMAT_TYPE)).sorted()
                .forEach(names::add);
        if (attributes.containsKey(KEY_FORMAT_TYPE)) {
            int digest = names.indexOf(DIGEST);
            names.add(digest < 0 ? insertionPoint(names) : digest + 1, KEY_FORMAT_TYPE);
        }
        Map<String, List<Ttlv>> ordered = new LinkedHashMap<>();
        names.forEach(name -> ordered.put(name, attributes.get(name)));
        return ordered;
    }

    /** Where Key Format Type goes by name among the others, when there is no Digest to follow. */
    private static int insertionPoint(List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            if (!Attributes.custom(names.get(i)) && !IDENTITY.contains(names.get(i))
                    && names.get(i).compareTo(KEY_FORMAT_TYPE) > 0) {
                return i;
            }
        }
        return names.size();
    }

    /**
     * The Digest, Fresh and {@code y-tresor-generated} of a key object, from its core version.
     * {@code y-tresor-generated} (PKCS#11's CKA_LOCAL) is true only for a version Tresor is known
     * to have generated (Create, Create Key Pair, ReKey), not for material a client imported over
     * REST or registered, nor for a version stored before its origin was kept. The digest is kept
     * since the key was made (over the format Key Format Type names, SHA-256), so a revoked or destroyed key
     * keeps it, and Fresh while its material (a public key object: the public key) has never been
     * served. A version stored before digests were kept, whose material has since been erased,
     * has no Digest, and the Digest of secret or private material goes only to a caller who may
     * use the key.
     */
    private static void putFromVersion(Map<String, List<Ttlv>> all, OperationContext context, KmipObject object) {
        KeyVersion version = context.keys().getVersion(context.caller(), object.id().versionRef());
        boolean publicHalf = object.type() == ObjectType.PUBLIC_KEY;
        Optional<String> digest = version.digests()
                .flatMap(d -> publicHalf ? d.publicKey() : d.materialFor(context.caller().role()));
        digest.ifPresent(hex -> {
            List<Ttlv> fields = new ArrayList<>(List.of(Ttlv.enumeration(Tag.HASHING_ALGORITHM, SHA_256),
                    Ttlv.bytes(Tag.DIGEST_VALUE, Bytes.wrap(HexFormat.of().parseHex(hex)))));
            if (context.version().atLeast(ProtocolVersion.V1_1)) {
                fields.add(Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, KeyFormats.described(object.type(), object.key().type())));
            }
            all.put(DIGEST, List.of(Ttlv.structure(Tag.ATTRIBUTE_VALUE, fields)));
        });
        all.put(FRESH, List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, fresh(object, version))));
        all.put(KmipObject.GENERATED, List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, version.generated())));
    }

    /** Whether a key object was never served: its material, or for a public key object its public key. */
    static boolean fresh(KmipObject object, KeyVersion version) {
        return !version.wasServed(object.type() == ObjectType.PUBLIC_KEY ? KeyVersion.Half.PUBLIC_KEY
                : KeyVersion.Half.MATERIAL);
    }
}
