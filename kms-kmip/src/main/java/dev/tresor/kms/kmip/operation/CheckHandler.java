package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;

/**
 * Check: the object exists and is Active. Tresor keeps no usage limits or leases, so those
 * fields of the request pass; a requested usage the key's mask does not grant fails (2.x:
 * Incompatible Cryptographic Usage Mask, 1.x: Permission Denied).
 */
final class CheckHandler implements OperationHandler {
    private final ObjectAccess access;

    CheckHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.CHECK;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        KmipObject object = access.usable(context, request);
        request.find(Tag.CRYPTOGRAPHIC_USAGE_MASK).ifPresent(wanted ->
                ObjectAccess.requireUsage(context, object, wanted.asInt(), "the requested usage"));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()));
    }
}
