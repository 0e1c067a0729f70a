package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;

/** RNG Retrieve: Data Length bytes from the server's DRBG. */
final class RngRetrieveHandler implements OperationHandler {
    @Override
    public Operation operation() {
        return Operation.RNG_RETRIEVE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        int length = request.require(Tag.DATA_LENGTH).asInt();
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.bytes(Tag.DATA, context.keys().random(context.caller(), length)));
    }
}
