package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;

/**
 * Destroy: the core's soft delete. The key itself once no object of it is left (30 days, then
 * NOT_FOUND everywhere), else this version's material. An Active object must be revoked first. A
 * pair's public half is only marked, as its material lives with the private key; destroying the
 * last live half deletes the key, unless its version was restored through REST since. For a key
 * object the core's step is part of the save of the object's Destroyed state, one write audited as
 * {@code key.set-attributes} and {@code version.destroy} or {@code key.delete}: a refused save
 * destroys nothing. A stored object (secret data, opaque object, certificate, lone public key) is
 * soft-deleted the same way, in a write after the save, both under the object's lock; a Destroy
 * of a Destroyed stored object whose delete failed makes that delete rather than answering that
 * the object is already destroyed.
 */
final class DestroyHandler implements OperationHandler {
    /** What a Destroy of a secret or private key object may make of its core key. */
    private static final Set<LifecycleStep> DESTROYS = Set.of(LifecycleStep.DESTROY_VERSION, LifecycleStep.DELETE_KEY);
    /** What a Destroy of a pair's public half, which holds no material of its own, may make of it. */
    private static final Set<LifecycleStep> PUBLIC_DESTROYS = Set.of(LifecycleStep.DELETE_KEY_IF_DESTROYED);
    private final ObjectAccess access;

    DestroyHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.DESTROY;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        String uid = context.uniqueIdentifier(request);
        Managed destroyed = StoredObject.names(uid)
                ? access.storedObjects().locked(uid, () -> destroyedStored(context, request, uid))
                : access.lifecycleEdit(context, request, object -> destroyed(context, object),
                        coreSteps(ObjectId.parse(uid)));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, destroyed.uid()));
    }

    /**
     * Stored object {@code uid} saved Destroyed and deleted, the caller holding its lock: another
     * Destroy waits for both, then finds it deleted, so it never makes this one's delete first
     * (which would then be refused as already made).
     */
    private StoredObject destroyedStored(OperationContext context, Ttlv request, String uid) {
        StoredObject read = access.storedObjects().load(context, uid);
        StoredObject destroyed = deleteLeft(read) ? read
                : (StoredObject) access.lifecycleEdit(context, request, object -> destroyed(context, object));
        access.storedObjects().delete(context, destroyed);
        return destroyed;
    }

    /** {@code object} Destroyed as of now; refused while it is Active or once it is destroyed. */
    private static Managed destroyed(OperationContext context, Managed object) {
        if (object.state() == ObjectState.ACTIVE) {
            throw KmsError.precondition("object " + object.uid() + " is Active; revoke it first");
        }
        if (object.state().destroyed()) {
            throw KmsError.precondition("object " + object.uid() + " is already destroyed");
        }
        return object.withState(object.state().afterDestroy()).with(Tag.DESTROY_DATE,
                Ttlv.dateTime(Tag.DESTROY_DATE, context.clock().instant().truncatedTo(ChronoUnit.SECONDS)));
    }

    /** The core's steps a Destroy of key object {@code id} may make, and the one it makes. */
    static CoreSteps coreSteps(ObjectId id) {
        return new CoreSteps(id.isPublic() ? PUBLIC_DESTROYS : DESTROYS, DestroyHandler::coreStep);
    }

    /**
     * The core's step of destroying the key object {@code destroyed}: its version destroyed, or its
     * key deleted; none for a half whose material the other, live half still needs. A public half's
     * delete is the core's only while the version is destroyed: its stored private half may say
     * Destroyed of a version an admin restored since.
     */
    private static Optional<LifecycleStep> coreStep(KmipObject destroyed) {
        ObjectId id = destroyed.id();
        boolean otherHalfAlive = KmipObjects.sibling(destroyed, id.isPublic() ? id.toPrivate() : id.toPublic())
                .map(other -> !other.state().destroyed()).orElse(false);
        if (!id.isPublic() && (otherHalfAlive || destroyed.key().lastVersion() > 1)) {
            return Optional.of(LifecycleStep.DESTROY_VERSION);
        }
        if (!otherHalfAlive && destroyed.key().lastVersion() == 1) {
            return Optional.of(id.isPublic() ? LifecycleStep.DELETE_KEY_IF_DESTROYED : LifecycleStep.DELETE_KEY);
        }
        return Optional.empty();
    }

    /**
     * Whether {@code stored} says Destroyed but its delete, a write after its save, failed. A key
     * object's step is in its save's write, so a Destroyed key object lacks none: a version or key
     * REST restored since stays restored.
     */
    private static boolean deleteLeft(StoredObject stored) {
        return stored.state().destroyed() && stored.object().deletionDate().isEmpty();
    }
}
