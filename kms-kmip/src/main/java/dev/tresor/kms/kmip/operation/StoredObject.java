package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.ManagedObject;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A KMIP object that is not a usable key: secret data, an opaque object, a certificate or a public
 * key registered alone, kept as a core managed object with its KMIP attributes. Unique Identifier
 * and Object Type are derived; everything else is stored.
 */
record StoredObject(ManagedObject object, Map<String, List<Ttlv>> stored) implements Managed {
    /** Its Unique Identifier: key identifiers are bare UUIDs and never start with this. */
    static final String ID_PREFIX = "obj-";

    /** The KMIP object types kept this way, with their Object Type code and the tag of their payload structure. */
    enum Kind {
        CERTIFICATE(0x01, Tag.CERTIFICATE, ManagedObject.Type.CERTIFICATE),
        PUBLIC_KEY(0x03, Tag.PUBLIC_KEY, ManagedObject.Type.PUBLIC_KEY),
        SECRET_DATA(0x07, Tag.SECRET_DATA, ManagedObject.Type.SECRET_DATA),
        OPAQUE_OBJECT(0x08, Tag.OPAQUE_OBJECT, ManagedObject.Type.OPAQUE_OBJECT);

        private final int code;
        private final Tag tag;
        private final ManagedObject.Type type;

        Kind(int code, Tag tag, ManagedObject.Type type) {
            this.code = code;
            this.tag = tag;
            this.type = type;
        }

        int code() {
            return code;
        }

        Tag tag() {
            return tag;
        }

        ManagedObject.Type type() {
            return type;
        }

        static Optional<Kind> of(int objectType) {
            for (Kind kind : values()) {
                if (kind.code == objectType) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }

        static Kind of(ManagedObject.Type type) {
            for (Kind kind : values()) {
                if (kind.type == type) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("no KMIP object type for " + type);
        }
    }

    StoredObject {
        stored = Collections.unmodifiableMap(new LinkedHashMap<>(stored));
    }

    static boolean names(String uid) {
        return uid.startsWith(ID_PREFIX);
    }

    static String coreId(String uid) {
        return uid.substring(ID_PREFIX.length());
    }

    @Override
    public String uid() {
        return ID_PREFIX + object.id();
    }

    Kind kind() {
        return Kind.of(object.type());
    }

    @Override
    public ObjectState state() {
        ObjectState state = Managed.storedState(stored);
        // Deleted in the core without a KMIP Destroy: an undo took back the batch that registered it.
        return object.deleted() ? state.afterDestroy() : state;
    }

    /** Unique Identifier and Object Type, then the stored ones with algorithm and length (a public key's) first, then State. */
    @Override
    public Map<String, List<Ttlv>> attributes() {
        Map<String, List<Ttlv>> all = new LinkedHashMap<>();
        all.put(Attributes.specName(Tag.UNIQUE_IDENTIFIER), List.of(Ttlv.text(Tag.ATTRIBUTE_VALUE, uid())));
        all.put(Attributes.specName(Tag.OBJECT_TYPE), List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, kind().code())));
        for (Tag first : List.of(Tag.CRYPTOGRAPHIC_ALGORITHM, Tag.CRYPTOGRAPHIC_LENGTH)) {
            String name = Attributes.specName(first);
            if (stored.containsKey(name)) {
                all.put(name, stored.get(name));
            }
        }
        Managed.putExposure(all, object.leaves(), !object.leaves());
        stored.forEach(all::putIfAbsent);
        all.remove(Attributes.specName(Tag.STATE));
        all.put(Attributes.specName(Tag.STATE), List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, state().code())));
        return all;
    }

    StoredObject at(java.time.Instant now) {
        return Managed.activationDue(this, now) ? withState(ObjectState.ACTIVE) : this;
    }

    @Override
    public StoredObject with(String name, List<Ttlv> values) {
        return new StoredObject(object, Managed.replaced(stored, name, values));
    }

    @Override
    public StoredObject with(Tag attribute, Ttlv value) {
        return with(Attributes.specName(attribute), List.of(Attributes.retag(value, Tag.ATTRIBUTE_VALUE.code())));
    }

    @Override
    public StoredObject withState(ObjectState state) {
        return with(Tag.STATE, Ttlv.enumeration(Tag.STATE, state.code()));
    }
}
