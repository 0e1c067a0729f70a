package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.util.function.UnaryOperator;

/**
 * What the handlers that use or change an existing object share: find the object a request
 * names, insist on its state, and apply a change to its attributes under the key's lock.
 */
final class ObjectAccess {
    private final KmipObjects objects;
    private final StoredObjects storedObjects;

    ObjectAccess(KmipObjects objects, StoredObjects storedObjects) {
        this.objects = objects;
        this.storedObjects = storedObjects;
    }

    StoredObjects storedObjects() {
        return storedObjects;
    }

    /** The object a request names, of either kind. */
    Managed any(OperationContext context, Ttlv request) {
        String uid = context.uniqueIdentifier(request);
        return StoredObject.names(uid) ? storedObjects.load(context, uid) : objects.load(context, uid);
    }

    /** The object a request names, of either kind, with every attribute it reports (a key's primary version looked up). */
    Managed described(OperationContext context, Ttlv request) {
        Managed object = any(context, request);
        return object instanceof KmipObject key ? objects.withPrimary(context, key) : object;
    }

    /**
     * A change to the attributes of the named object, of either kind, saved under its lock. The
     * change is made before the core is asked to save it, so it may refuse with a {@link KmipFailure}.
     */
    Managed edit(OperationContext context, Ttlv request, UnaryOperator<Managed> change) {
        return change(context, request, change, UnaryOperator.identity(), CoreSteps.NONE);
    }

    /**
     * {@link #edit}, the change made inside the core's save, once the caller's role may change the
     * object: for a lifecycle change, whose refusals of the object's state (a {@link KmsError})
     * must not hide that the caller may not change it at all. A {@link KmipFailure} of the change
     * refuses the core's call with a KmsError of the same code and message (the core records a
     * refusal, not an internal error), and is what the caller meets once that call returned
     * ({@link KmipRefusal}).
     */
    Managed lifecycleEdit(OperationContext context, Ttlv request, UnaryOperator<Managed> change) {
        return lifecycleEdit(context, request, change, CoreSteps.NONE);
    }

    /**
     * {@link #lifecycleEdit}, and in the same write the lifecycle step {@code steps} chooses for the
     * changed key object made of its core key or version (empty: none), asked after the change's
     * own refusals. A stored object has no core key: it is not asked.
     */
    Managed lifecycleEdit(OperationContext context, Ttlv request, UnaryOperator<Managed> change,
                          CoreSteps steps) {
        return change(context, request, UnaryOperator.identity(), change, steps);
    }

    private Managed change(OperationContext context, Ttlv request, UnaryOperator<Managed> before,
                           UnaryOperator<Managed> inside, CoreSteps steps) {
        String uid = context.uniqueIdentifier(request);
        if (StoredObject.names(uid)) {
            return storedObjects.change(context, uid, current -> (StoredObject) before.apply(current),
                    current -> (StoredObject) inside.apply(current));
        }
        return objects.locked(ObjectId.parse(uid).keyId(), () -> CompareAndSetTries.run(
                () -> objects.save(context, (KmipObject) before.apply(objects.load(context, uid)),
                        current -> (KmipObject) inside.apply(current), steps)));
    }

    KmipObjects objects() {
        return objects;
    }

    KmipObject named(OperationContext context, Ttlv request) {
        return objects.load(context, context.uniqueIdentifier(request));
    }

    /** The object a cryptographic request names, which must be Active (a Pre-Active key is not yet usable). */
    KmipObject usable(OperationContext context, Ttlv request) {
        KmipObject object = named(context, request);
        if (object.state() != ObjectState.ACTIVE) {
            throw KmsError.precondition("object " + object.id() + " is not Active");
        }
        return object;
    }

    /**
     * {@link #usable}, and within the object's own dates for {@code use}. The core checks a
     * secret key version's dates again for every front-end ({@link #corePeriod}); this check also
     * covers each half of a pair, and lone public keys.
     */
    KmipObject usable(OperationContext context, Ttlv request, UsePeriod.Use use) {
        KmipObject object = usable(context, request);
        requireWithinDates(object, use, context.clock().instant());
        return object;
    }

    /** Spec 1.4 sections 3.26 and 3.27: refused after the Protect Stop Date, or before the Process Start Date. */
    static void requireWithinDates(Managed object, UsePeriod.Use use, java.time.Instant now) {
        usePeriod(object.stored()).require(use, now, () -> "object " + object.uid());
    }

    /** The object's Protect Stop and Process Start Dates as the core's use period. */
    static UsePeriod usePeriod(java.util.Map<String, java.util.List<Ttlv>> stored) {
        return new UsePeriod(Attributes.first(stored, Tag.PROTECT_STOP_DATE).map(Ttlv::asDateTime),
                Attributes.first(stored, Tag.PROCESS_START_DATE).map(Ttlv::asDateTime));
    }

    /**
     * The use period the core keeps for a key version of {@code type} whose object holds
     * {@code stored}: the secret object's dates, since KMIP scopes them to symmetric keys. Both
     * halves of a pair share one core version, each used for its own operations, so the core
     * keeps no period for a pair: KMIP checks each half's own dates ({@link #usable}).
     */
    static UsePeriod corePeriod(KeyType type, java.util.Map<String, java.util.List<Ttlv>> stored) {
        return type.isAsymmetric() ? UsePeriod.ALWAYS : usePeriod(stored);
    }

    /**
     * Refused unless the object's Cryptographic Usage Mask grants every bit of {@code usage}
     * ({@code what} names them): 2.x reason Incompatible Cryptographic Usage Mask, before it Permission Denied.
     */
    static void requireUsage(OperationContext context, Managed object, int usage, String what) {
        int granted = Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_USAGE_MASK).map(Ttlv::asInt).orElse(0);
        if ((usage & ~granted) != 0) {
            throw usageMaskRefusal(context, "the Cryptographic Usage Mask of object " + object.uid()
                    + " does not grant " + what);
        }
    }

    /**
     * Refused when the core would refuse the key's usages together (an AES key that may both MAC and
     * encrypt, stored before the core's rule, in a project that does not allow it), with the reason of
     * {@link #requireUsage}.
     */
    static void requireCompatibleUsages(OperationContext context, KmipObject object) {
        Key key = object.key();
        context.keys().usageConflict(context.caller(), key.type(), key.usages()).ifPresent(conflict -> {
            throw usageMaskRefusal(context, "object " + object.uid() + ": " + conflict);
        });
    }

    /** A usage mask that does not allow the request: 2.x Incompatible Cryptographic Usage Mask, before it Permission Denied. */
    static KmipFailure usageMaskRefusal(OperationContext context, String message) {
        return new KmipFailure(context.version().isTwoOrLater()
                ? ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK : ResultReason.PERMISSION_DENIED, message);
    }

    /** The request's Cryptographic Parameters over the object's stored ones. */
    static CryptoParameters parameters(KmipObject object, Ttlv request) {
        return CryptoParameters.of(request.find(Tag.CRYPTOGRAPHIC_PARAMETERS),
                Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_PARAMETERS));
    }

    static Ttlv data(Ttlv request) {
        return request.find(Tag.DATA).orElseThrow(() -> new KmipFailure(ResultReason.MISSING_DATA, "Data is required"));
    }
}
