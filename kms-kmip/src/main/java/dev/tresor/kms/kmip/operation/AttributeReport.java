package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every attribute the server reports for an object: its own (derived and stored), the Digest,
 * the Lease Time and the Short Unique Identifier, in the one order that Get Attributes (asked for
 * all) and Get Attribute List share: custom attributes first in the order they were set (Tresor's
 * own after the client's), then Unique Identifier,
 * Short Unique Identifier, Object Type, Cryptographic Algorithm and Length, then the rest by
 * name, Key Format Type right after the Digest it qualifies.
 */
final class AttributeReport {
    private static final int SHA_256 = 0x06;
    private static final List<String> IDENTITY = Stream.of(Tag.UNIQUE_IDENTIFIER, Tag.SHORT_UNIQUE_IDENTIFIER,
            Tag.OBJECT_TYPE, Tag.CRYPTOGRAPHIC_ALGORITHM, Tag.CRYPTOGRAPHIC_LENGTH).map(Attributes::specName).toList();
    private static final String DIGEST = Attributes.specName(Tag.DIGEST);
    private static final String KEY_FORMAT_TYPE = Attributes.specName(Tag.KEY_FORMAT_TYPE);

    private final Lease lease;

    AttributeReport(Lease lease) {
        this.lease = lease;
    }

    /**
     * The object's attributes, in order; the Digest only when {@code withDigest} (it reads the key
     * material), and only what clients of the context's version know.
     */
    Map<String, List<Ttlv>> of(OperationContext context, Managed object, boolean withDigest) {
        Map<String, List<Ttlv>> all = new LinkedHashMap<>(object.attributes());
        all.put(Attributes.specName(Tag.SHORT_UNIQUE_IDENTIFIER),
                List.of(Ttlv.bytes(Tag.ATTRIBUTE_VALUE, context.keys().identifierDigest(object.uid()))));
        if (Lease.applies(object)) {
            all.put(Attributes.specName(Tag.LEASE_TIME), List.of(lease.value()));
        }
        if (withDigest && object instanceof KmipObject key) {
            digest(context, key).ifPresent(digest -> all.put(DIGEST, List.of(digest)));
        }
        all.keySet().removeIf(name -> !Attributes.known(name, context.version()));
        return ordered(all);
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
     * The Digest, unless the material may not be read: not exportable, destroyed, its version
     * disabled (revoked), or a role without crypto rights.
     */
    private static Optional<Ttlv> digest(OperationContext context, KmipObject object) {
        if (object.state().destroyed() || (object.type() != ObjectType.PUBLIC_KEY && !object.key().exportable())) {
            return Optional.empty();
        }
        int format = KeyFormats.described(object.type(), object.key().type());
        Bytes material;
        try {
            material = switch (object.type()) {
                case SYMMETRIC_KEY -> context.keys().exportMaterial(context.caller(), object.id().versionRef());
                case PRIVATE_KEY -> KeyFormats.privateKey(context.keys().exportMaterial(context.caller(),
                        object.id().versionRef()), format, object.key().type());
                case PUBLIC_KEY -> KeyFormats.publicKey(context.keys().publicKey(context.caller(),
                        object.id().versionRef()), format, object.key().type());
            };
        } catch (KmsError e) {
            if (e.code() == ErrorCode.PERMISSION_DENIED || e.code() == ErrorCode.FAILED_PRECONDITION) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            // SHA-256 of the Raw symmetric key, the PKCS#1 form of an RSA key, the X.509 form of an EC public key
            List<Ttlv> fields = new ArrayList<>(List.of(Ttlv.enumeration(Tag.HASHING_ALGORITHM, SHA_256),
                    Ttlv.bytes(Tag.DIGEST_VALUE, context.keys().hash(context.caller(), "SHA-256", material))));
            if (context.version().atLeast(ProtocolVersion.V1_1)) {
                fields.add(Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, format));
            }
            return Optional.of(Ttlv.structure(Tag.ATTRIBUTE_VALUE, fields));
        } finally {
            material.zero();
        }
    }
}
