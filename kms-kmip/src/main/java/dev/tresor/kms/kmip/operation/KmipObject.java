package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One KMIP managed object: a core key version (or the public half of a pair) and the KMIP
 * attributes kept for it. Unique Identifier, Object Type, Cryptographic Algorithm and Length and
 * (2.x) the Key Format Type of a generated key come from the core key (a registered key keeps the
 * format it came in), and so do Tresor's own {@code y-tresor-version} (the version number),
 * {@code y-tresor-primary} (whether it is the key's primary version, newest enabled) and
 * {@code y-tresor-attested} (whether some use of the key needs fresh attestation); everything
 * else is stored, but for what {@link AttributeReport} reads from the core version
 * ({@code y-tresor-generated}, Digest, Fresh). {@code primaryVersion} is the key's primary version number (0: none) where it
 * was looked up, which only the calls that report attributes do.
 */
record KmipObject(ObjectId id, Key key, Map<String, List<Ttlv>> stored, OptionalLong primaryVersion)
        implements Managed {
    /** A stored Linked Object Identifier that stands for the other half of the same key pair. */
    static final String OTHER_HALF = "(other half of the pair)";
    static final String VERSION = "y-tresor-version";
    static final String PRIMARY = "y-tresor-primary";
    static final String ATTESTED = "y-tresor-attested";
    static final String GENERATED = "y-tresor-generated";

    KmipObject {
        stored = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stored));
    }

    KmipObject(ObjectId id, Key key, Map<String, List<Ttlv>> stored) {
        this(id, key, stored, OptionalLong.empty());
    }

    /** This object knowing which version of its key is primary ({@code 0}: none). */
    KmipObject withPrimaryVersion(long primary) {
        return new KmipObject(id, key, stored, OptionalLong.of(primary));
    }

    @Override
    public String uid() {
        return id.uid();
    }

    ObjectType type() {
        if (id.isPublic()) {
            return ObjectType.PUBLIC_KEY;
        }
        return key.type().isAsymmetric() ? ObjectType.PRIVATE_KEY : ObjectType.SYMMETRIC_KEY;
    }

    @Override
    public ObjectState state() {
        ObjectState state = Managed.storedState(stored);
        // A pair's public half outlives the private key until it is destroyed itself.
        return key.state() == KeyState.DELETED && !id.isPublic() ? state.afterDestroy() : state;
    }

    /** The format Get answers in unless asked for another: the one the key was registered in, if it was. */
    int defaultKeyFormat() {
        return Attributes.first(stored, Tag.KEY_FORMAT_TYPE).map(Ttlv::asEnum).orElse(switch (type()) {
            case SYMMETRIC_KEY -> KeyFormats.RAW;
            case PRIVATE_KEY -> KeyFormats.PKCS_8;
            case PUBLIC_KEY -> KeyFormats.X_509;
        });
    }

    /** Every attribute: the derived ones first, then the stored ones in the order they were set. */
    @Override
    public Map<String, List<Ttlv>> attributes() {
        Map<String, List<Ttlv>> all = new LinkedHashMap<>();
        all.put(Attributes.specName(Tag.UNIQUE_IDENTIFIER), List.of(Ttlv.text(Tag.ATTRIBUTE_VALUE, id.uid())));
        all.put(Attributes.specName(Tag.OBJECT_TYPE), List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, type().code())));
        all.put(Attributes.specName(Tag.CRYPTOGRAPHIC_ALGORITHM),
                List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, KeyTypes.algorithm(key.type()))));
        all.put(Attributes.specName(Tag.CRYPTOGRAPHIC_LENGTH), List.of(Ttlv.integer(Tag.ATTRIBUTE_VALUE, key.type().bits())));
        key.usageLimit().ifPresent(limit -> all.put(Attributes.specName(Tag.USAGE_LIMITS),
                List.of(NewObjects.usageLimits(limit))));
        all.put(Attributes.specName(Tag.KEY_FORMAT_TYPE),
                List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, KeyFormats.described(type(), key.type()))));
        boolean publicHalf = id.isPublic();
        Managed.putExposure(all, publicHalf || key.materialLeaves(), !publicHalf && !key.exportable());
        stored.forEach((name, values) -> all.put(name, name.equals(Attributes.specName(Tag.LINK))
                ? values.stream().map(this::resolved).toList() : values));
        all.put(Attributes.specName(Tag.STATE), List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, state().code())));
        all.put(VERSION, List.of(Ttlv.integer(Tag.ATTRIBUTE_VALUE, Math.toIntExact(id.version()))));
        primaryVersion.ifPresent(primary -> all.put(PRIMARY,
                List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, primary == id.version()))));
        all.put(ATTESTED, List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, !key.release().attestationRequiredFor().isEmpty())));
        return all;
    }

    private Ttlv resolved(Ttlv link) {
        Ttlv target = link.require(Tag.LINKED_OBJECT_IDENTIFIER);
        if (!target.asText().equals(OTHER_HALF)) {
            return link;
        }
        ObjectId other = id.isPublic() ? id.toPrivate() : id.toPublic();
        return Ttlv.structure(link.tag(), List.of(link.require(Tag.LINK_TYPE),
                Ttlv.text(Tag.LINKED_OBJECT_IDENTIFIER, other.uid())));
    }

    /**
     * This object as it stands at {@code now}: a Pre-Active object whose Activation Date has come
     * is Active (spec 1.4 section 3.24), without anyone calling Activate.
     */
    KmipObject at(java.time.Instant now) {
        return Managed.activationDue(this, now) ? withState(ObjectState.ACTIVE) : this;
    }

    @Override
    public KmipObject with(Tag attribute, Ttlv value) {
        return with(Attributes.specName(attribute), List.of(Attributes.retag(value, Tag.ATTRIBUTE_VALUE.code())));
    }

    @Override
    public KmipObject with(String name, List<Ttlv> values) {
        return new KmipObject(id, key, Managed.replaced(stored, name, values), primaryVersion);
    }

    @Override
    public KmipObject withState(ObjectState state) {
        return with(Tag.STATE, Ttlv.enumeration(Tag.STATE, state.code()));
    }
}
