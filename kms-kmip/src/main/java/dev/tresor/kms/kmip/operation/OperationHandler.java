package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Ttlv;

/**
 * One KMIP operation: turns a Request Payload into a Response Payload by calling the core. A
 * refusal is thrown ({@code KmsError} from the core, {@code KmipFailure} for protocol matters)
 * and becomes a failed batch item.
 */
public interface OperationHandler {
    Operation operation();

    Ttlv handle(OperationContext context, Ttlv request);
}
