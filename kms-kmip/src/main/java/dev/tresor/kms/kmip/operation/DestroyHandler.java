package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Destroy: the core's soft delete. The key itself once no object of it is left (30 days, then
 * NOT_FOUND everywhere), else this version's material. An Active object must be revoked first.
 * A pair's public half is only marked, as its material lives with the private key; destroying
 * the last live half deletes the key. A stored object (secret data, opaque object, certificate,
 * lone public key) is soft-deleted the same way. The object is saved Destroyed first, then the
 * core's step is a write of its own: if that one fails (the store, sealed meanwhile), or the core
 * undid it since (a REST restore), a Destroy of the Destroyed object makes that step again rather
 * than answering that the object is already destroyed.
 */
final class DestroyHandler implements OperationHandler {
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
        Managed current = access.any(context, request);
        Optional<Runnable> left = current.state().destroyed() ? coreStepLeft(context, current) : Optional.empty();
        if (left.isPresent()) {
            left.get().run();
            return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, current.uid()));
        }
        Managed changed = access.lifecycleEdit(context, request, object -> {
            if (object.state() == ObjectState.ACTIVE) {
                throw KmsError.precondition("object " + object.uid() + " is Active; revoke it first");
            }
            if (object.state().destroyed()) {
                throw KmsError.precondition("object " + object.uid() + " is already destroyed");
            }
            return object.withState(object.state().afterDestroy()).with(Tag.DESTROY_DATE,
                    Ttlv.dateTime(Tag.DESTROY_DATE, context.clock().instant().truncatedTo(ChronoUnit.SECONDS)));
        });
        coreStepLeft(context, changed).ifPresent(Runnable::run);
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, changed.uid()));
    }

    /**
     * What the core still has to do for the Destroyed object {@code destroyed}: delete the stored
     * object, destroy the key object's version, or delete its key; empty once that is done, and for
     * a half whose material the other, live half still needs.
     */
    private Optional<Runnable> coreStepLeft(OperationContext context, Managed destroyed) {
        if (destroyed instanceof StoredObject stored) {
            return stored.object().deletionDate().isPresent() ? Optional.empty()
                    : Optional.of(() -> access.storedObjects().delete(context, stored));
        }
        KmipObject object = (KmipObject) destroyed;
        ObjectId id = object.id();
        boolean otherHalfAlive = KmipObjects.sibling(object, id.isPublic() ? id.toPrivate() : id.toPublic())
                .map(other -> !other.state().destroyed()).orElse(false);
        if (object.key().state() == KeyState.DELETED) {
            return Optional.empty();
        }
        if (!id.isPublic() && (otherHalfAlive || object.key().lastVersion() > 1)) {
            return context.keys().getVersion(context.caller(), id.versionRef()).state() == VersionState.DESTROYED
                    ? Optional.empty()
                    : Optional.of(() -> context.keys().destroyVersion(context.caller(), id.versionRef()));
        }
        if (!otherHalfAlive && object.key().lastVersion() == 1) {
            return Optional.of(() -> context.keys().deleteKey(context.caller(), id.key()));
        }
        return Optional.empty();
    }
}
