package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.time.temporal.ChronoUnit;

/**
 * Destroy: the core's soft delete. The key itself when this is its only version (30 days, then
 * NOT_FOUND everywhere), else this version. An Active object must be revoked first; destroying a
 * public half only marks it, as its material lives with the private key.
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
        KmipObject destroyed = access.change(context, request, object -> {
            if (object.state() == ObjectState.ACTIVE) {
                throw KmsError.precondition("object " + object.id() + " is Active; revoke it first");
            }
            if (object.state().destroyed()) {
                throw KmsError.precondition("object " + object.id() + " is already destroyed");
            }
            return object.withState(object.state() == ObjectState.COMPROMISED ? ObjectState.DESTROYED_COMPROMISED
                    : ObjectState.DESTROYED).with(Tag.DESTROY_DATE,
                    Ttlv.dateTime(Tag.DESTROY_DATE, context.clock().instant().truncatedTo(ChronoUnit.SECONDS)));
        });
        ObjectId id = destroyed.id();
        if (!id.isPublic()) {
            if (destroyed.key().lastVersion() == 1) {
                context.keys().deleteKey(context.caller(), id.key());
            } else {
                context.keys().destroyVersion(context.caller(), id.versionRef());
            }
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, id.uid()));
    }
}
