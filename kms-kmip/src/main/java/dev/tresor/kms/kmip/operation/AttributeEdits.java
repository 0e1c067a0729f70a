package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The rules Add, Modify, Delete and Set Attribute share: which attributes a client may change
 * (not those the server derives, Tresor's own {@code y-…} ones, or those that carry the object's
 * state and usages), which may hold
 * several values, and the answer each version expects.
 */
final class AttributeEdits {
    private static final Set<String> READ_ONLY = Stream.concat(Stream.of(
            Attributes.specName(Tag.UNIQUE_IDENTIFIER), Attributes.specName(Tag.OBJECT_TYPE),
            Attributes.specName(Tag.CRYPTOGRAPHIC_ALGORITHM), Attributes.specName(Tag.CRYPTOGRAPHIC_LENGTH),
            Attributes.specName(Tag.CRYPTOGRAPHIC_USAGE_MASK), Attributes.specName(Tag.STATE),
            Attributes.specName(Tag.INITIAL_DATE), Attributes.specName(Tag.ACTIVATION_DATE),
            Attributes.specName(Tag.DEACTIVATION_DATE), Attributes.specName(Tag.DESTROY_DATE),
            Attributes.specName(Tag.COMPROMISE_DATE), Attributes.specName(Tag.COMPROMISE_OCCURRENCE_DATE),
            Attributes.specName(Tag.REVOCATION_REASON),
            Attributes.specName(Tag.LAST_CHANGE_DATE), Attributes.specName(Tag.DIGEST),
            Attributes.specName(Tag.USAGE_LIMITS), Attributes.specName(Tag.ORIGINAL_CREATION_DATE)),
            Attributes.SERVER_DERIVED.stream()).collect(Collectors.toUnmodifiableSet());
    private static final Set<String> MULTI_VALUED = Set.of(
            Attributes.specName(Tag.NAME), Attributes.specName(Tag.OBJECT_GROUP), Attributes.specName(Tag.LINK),
            Attributes.specName(Tag.APPLICATION_SPECIFIC_INFORMATION), Attributes.specName(Tag.ALTERNATIVE_NAME));

    private AttributeEdits() {
    }

    /**
     * {@link #requireWritable(String, ProtocolVersion)} for an edit of {@code object}: a change of
     * Activation Date once the object has left Pre-Active is a lifecycle error (spec 2.1 section
     * 4.1), not a matter of rights.
     */
    static void requireWritable(String name, Managed object, ProtocolVersion version) {
        if (name.equals(Attributes.specName(Tag.ACTIVATION_DATE)) && object.state() != ObjectState.PRE_ACTIVE) {
            throw KmsError.precondition("object " + object.uid() + " is no longer Pre-Active; its Activation Date stands");
        }
        requireWritable(name, version);
    }

    /** A read-only attribute: 2.x Attribute Read Only, 1.x (which has no such reason) Permission Denied. */
    static void requireWritable(String name, ProtocolVersion version) {
        if (READ_ONLY.contains(name) || Attributes.serverSet(name)) {
            String message = "attribute " + name + " is read-only";
            throw version.isTwoOrLater() ? new KmipFailure(ResultReason.ATTRIBUTE_READ_ONLY, message)
                    : KmsError.denied(message);
        }
    }

    static boolean multiValued(String name) {
        return MULTI_VALUED.contains(name) || name.startsWith("x-") || name.startsWith("y-");
    }

    /** Whether ReKey copies the attribute to the replacement: the client's, not the lifecycle's or links. */
    static boolean carriesOver(String name) {
        return !READ_ONLY.contains(name) && !name.equals(Attributes.specName(Tag.LINK))
                || name.equals(Attributes.specName(Tag.CRYPTOGRAPHIC_USAGE_MASK));
    }

    static List<Ttlv> values(Managed object, String name) {
        return new ArrayList<>(object.stored().getOrDefault(name, List.of()));
    }

    /** 1.x answers with the attribute as it now is (index when not the first); 2.x with the identifier only. */
    static Ttlv answer(Managed object, ProtocolVersion version, Attributes.Named attribute) {
        if (version.isTwoOrLater()) {
            return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()));
        }
        List<Ttlv> fields = new ArrayList<>();
        fields.add(Ttlv.text(Tag.ATTRIBUTE_NAME, attribute.name()));
        if (attribute.index() > 0) {
            fields.add(Ttlv.integer(Tag.ATTRIBUTE_INDEX, attribute.index()));
        }
        fields.add(Attributes.retag(attribute.value(), Tag.ATTRIBUTE_VALUE.code()));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()),
                Ttlv.structure(Tag.ATTRIBUTE, fields));
    }
}
