package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;

/** MAC Verify: the core compares the MACs in constant time; answers Valid or Invalid. */
final class MacVerifyHandler implements OperationHandler {
    private final ObjectAccess access;

    MacVerifyHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.MAC_VERIFY;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        KmipObject object = access.usable(context, request, UsePeriod.Use.PROCESS);
        boolean valid = context.keys().verify(context.caller(),
                MacHandler.macRequest(context, object, request),
                request.require(Tag.MAC_DATA).asBytes());
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()),
                Ttlv.enumeration(Tag.VALIDITY_INDICATOR,
                        valid ? SignatureVerifyHandler.VALID : SignatureVerifyHandler.INVALID));
    }
}
