package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;

/**
 * Obtain Lease (spec 1.4 section 4.15, 2.1 section 6.1.31): a new lease on a cryptographic object
 * the client may use, answered with the Lease Time granted and the object's Last Change Date (so a
 * client that caches the object sees whether its copy is stale). Only an Active object may be
 * used, so only an Active object gets a lease; the object itself does not change.
 */
final class ObtainLeaseHandler implements OperationHandler {
    private final ObjectAccess access;
    private final Lease lease;

    ObtainLeaseHandler(ObjectAccess access, Lease lease) {
        this.access = access;
        this.lease = lease;
    }

    @Override
    public Operation operation() {
        return Operation.OBTAIN_LEASE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Managed object = access.any(context, request);
        if (!Lease.applies(object)) {
            throw KmsError.invalid("object " + object.uid() + " is an opaque object, which carries no lease");
        }
        if (object.state().destroyed()) {
            String message = "object " + object.uid() + " is destroyed";
            throw context.version().isTwoOrLater() ? new KmipFailure(ResultReason.OBJECT_DESTROYED, message)
                    : KmsError.precondition(message);
        }
        if (object.state() != ObjectState.ACTIVE) {
            throw KmsError.precondition("object " + object.uid() + " is not Active; only an Active object gets a lease");
        }
        Ttlv lastChange = Attributes.first(object.stored(), Tag.LAST_CHANGE_DATE)
                .or(() -> Attributes.first(object.stored(), Tag.INITIAL_DATE))
                .orElseThrow(() -> KmsError.internal("object " + object.uid() + " has no Last Change Date", null));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()),
                Ttlv.interval(Tag.LEASE_TIME, lease.time().toSeconds()),
                Attributes.retag(lastChange, Tag.LAST_CHANGE_DATE.code()));
    }
}
