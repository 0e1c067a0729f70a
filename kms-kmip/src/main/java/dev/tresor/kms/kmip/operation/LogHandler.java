package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.logging.Logger;

/** Log (2.x): a client's message for the server log; Baseline Server requires the operation. */
final class LogHandler implements OperationHandler {
    private static final Logger LOG = Logger.getLogger(LogHandler.class.getName());
    private static final int MAX_LOGGED = 1024;

    @Override
    public Operation operation() {
        return Operation.LOG;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        String message = request.require(Tag.LOG_MESSAGE).asText();
        String shown = message.length() > MAX_LOGGED ? message.substring(0, MAX_LOGGED) : message;
        LOG.info(() -> "KMIP client " + context.caller().principal() + " logs: " + shown.replaceAll("\\p{Cntrl}", "?"));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD);
    }
}
