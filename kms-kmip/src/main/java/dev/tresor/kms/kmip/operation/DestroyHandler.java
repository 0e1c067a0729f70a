package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.time.temporal.ChronoUnit;

/**
 * Destroy: the core's soft delete. The key itself once no object of it is left (30 days, then
 * NOT_FOUND everywhere), else this version's material. An Active object must be revoked first.
 * A pair's public half is only marked, as its material lives with the private key; destroying
 * the last live half deletes the key. A stored object (secret data, opaque object, certificate,
 * lone public key) is soft-deleted the same way.
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
        if (changed instanceof StoredObject stored) {
            access.storedObjects().delete(context, stored);
            return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, stored.uid()));
        }
        KmipObject destroyed = (KmipObject) changed;
        ObjectId id = destroyed.id();
        boolean otherHalfAlive = KmipObjects.sibling(destroyed, id.isPublic() ? id.toPrivate() : id.toPublic())
                .map(other -> !other.state().destroyed()).orElse(false);
        if (!id.isPublic() && (otherHalfAlive || destroyed.key().lastVersion() > 1)) {
            context.keys().destroyVersion(context.caller(), id.versionRef());
        } else if (!otherHalfAlive && destroyed.key().lastVersion() == 1) {
            context.keys().deleteKey(context.caller(), id.key());
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, id.uid()));
    }
}
