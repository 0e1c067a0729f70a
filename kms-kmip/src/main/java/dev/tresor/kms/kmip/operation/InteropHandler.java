package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.logging.Logger;

/**
 * Interop (2.x): the test-harness marker the OASIS 2.1 test cases send at the start and end of
 * each case (Begin, End, Reset). It changes nothing; the server logs it and succeeds, which the
 * Baseline Server profile asks for.
 */
final class InteropHandler implements OperationHandler {
    private static final Logger LOG = Logger.getLogger(InteropHandler.class.getName());

    @Override
    public Operation operation() {
        return Operation.INTEROP;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        String identifier = request.find(Tag.INTEROP_IDENTIFIER).map(Ttlv::asText).orElse("");
        LOG.fine(() -> "KMIP interop " + request.require(Tag.INTEROP_FUNCTION).asEnum() + " " + identifier);
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD);
    }
}
