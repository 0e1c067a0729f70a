package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.ManagedObject;
import dev.tresor.kms.key.ObjectPublicKey;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Secret data, opaque objects, certificates and lone public keys in the core's managed objects:
 * the value is the TTLV of the object's structure as registered (so Get answers it as it came),
 * the KMIP attributes are kept in the object's front-end attributes as for keys.
 */
final class StoredObjects {
    private final KmipObjects keys;

    StoredObjects(KmipObjects keys) {
        this.keys = keys;
    }

    StoredObject register(OperationContext context, StoredObject.Kind kind, Ttlv structure,
                          Map<String, List<Ttlv>> requested) {
        if (requested.containsKey(Attributes.specName(Tag.USAGE_LIMITS))) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED,
                    "Usage Limits apply to keys that protect data; a " + kind + " takes none");
        }
        Map<String, List<Ttlv>> attributes = NewObjects.initial(context, requested);
        if (kind == StoredObject.Kind.PUBLIC_KEY) {
            Ttlv block = structure.require(Tag.KEY_BLOCK);
            if (block.find(Tag.KEY_WRAPPING_DATA).isPresent()) {
                throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, "wrapped key blocks are not accepted");
            }
            for (Tag derived : List.of(Tag.CRYPTOGRAPHIC_ALGORITHM, Tag.CRYPTOGRAPHIC_LENGTH)) {
                block.find(derived).or(() -> Attributes.first(requested, derived)).ifPresent(value -> attributes.put(
                        Attributes.specName(derived), List.of(Attributes.retag(value, Tag.ATTRIBUTE_VALUE.code()))));
            }
        }
        if (kind == StoredObject.Kind.CERTIFICATE) {
            attributes.putAll(CertificateAttributes.of(structure));
        }
        byte[] value = TtlvWriter.write(structure);
        try {
            Optional<Boolean> exportable = NewObjects.exportable(requested);
            boolean sensitive = NewObjects.sensitive(requested).orElse(false);
            Map<String, String> stored = KmipObjects.encode(1, false, attributes);
            ManagedObject object = kind == StoredObject.Kind.PUBLIC_KEY
                    ? context.keys().registerPublicKey(context.caller(), Bytes.wrap(value),
                            KeyFormats.corePublicKey(structure.require(Tag.KEY_BLOCK)), exportable, sensitive, stored)
                    : context.keys().registerObject(context.caller(), kind.type(), Bytes.wrap(value), exportable,
                            sensitive, stored);
            return new StoredObject(object, attributes);
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    StoredObject load(OperationContext context, String uid) {
        return of(context.keys().getObject(context.caller(), StoredObject.coreId(uid)), uid)
                .at(context.clock().instant());
    }

    List<StoredObject> all(OperationContext context) {
        return context.keys().listObjects(context.caller()).stream()
                .map(o -> of(o, StoredObject.ID_PREFIX + o.id()).at(context.clock().instant())).toList();
    }

    /**
     * A read-modify-write of the object's attributes, serialised per object as the core replaces
     * them whole, and compare-and-set: an edit that read the object before another call (another
     * front-end, or an undo) changed it never writes the old attributes back; it is applied again
     * to a fresh read ({@link CompareAndSetTries}). {@code before} changes the object before the
     * core is asked, {@code inside} within the core's call, once the caller's role may change it.
     */
    StoredObject change(OperationContext context, String uid, UnaryOperator<StoredObject> before,
                        UnaryOperator<StoredObject> inside) {
        return locked(uid, () -> CompareAndSetTries.run(() -> {
            StoredObject read = load(context, uid);
            StoredObject edited = before.apply(read);
            AtomicReference<StoredObject> changed = new AtomicReference<>();
            ManagedObject saved = KmipRefusal.carriedOut(() -> {
                changed.set(inside.apply(edited).with(Tag.LAST_CHANGE_DATE, KmipObjects.lastChangeNow(context)));
                return KmipObjects.encode(1, false, changed.get().stored());
            }, attributes -> context.keys().replaceObjectAttributes(context.caller(), read.object().id(),
                    read.object().attributes(), attributes));
            return new StoredObject(saved, changed.get().stored());
        }));
    }

    /** Runs {@code work} under the lock of object {@code uid}, the one {@link #change} takes (it may be held already). */
    <T> T locked(String uid, Supplier<T> work) {
        return keys.locked(uid, work);
    }

    /** The object's structure as registered; a secret one only if it is exportable (the core checks). */
    Ttlv value(OperationContext context, StoredObject object) {
        Bytes value = context.keys().objectValue(context.caller(), object.object().id());
        try {
            return structure(value);
        } finally {
            value.zero();
        }
    }

    /**
     * The key the core keeps for a public key, from the object's stored value: what
     * {@link #register} gives the core, for a public key registered before the core kept it.
     */
    static Optional<ObjectPublicKey> corePublicKey(Bytes value) {
        return KeyFormats.corePublicKey(structure(value).require(Tag.KEY_BLOCK));
    }

    private static Ttlv structure(Bytes value) {
        byte[] encoded = value.toArray();
        try {
            return TtlvReader.read(encoded, TtlvLimits.DEFAULT);
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
    }

    /** The core's soft delete: 30 days, then not found. */
    void delete(OperationContext context, StoredObject object) {
        context.keys().deleteObject(context.caller(), object.object().id());
    }

    private static StoredObject of(ManagedObject object, String uid) {
        return new StoredObject(object, KmipObjects.decode(object.attributes(), 1, false)
                .orElseThrow(() -> KmsError.notFound("object " + uid)));
    }
}
