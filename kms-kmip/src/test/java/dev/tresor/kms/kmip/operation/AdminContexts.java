package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.BatchErrorContinuation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.RequestHeader;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.util.Optional;

/** The context of a KMIP 2.1 request of one item by the project's admin, for handlers and object access called directly. */
final class AdminContexts {
    private AdminContexts() {
    }

    static OperationContext of(CoreWithKeyRing core) {
        return new OperationContext(core.admin(), null, new RequestHeader(ProtocolVersion.V2_1, Optional.empty(),
                Optional.empty(), false, Optional.empty(), false, BatchErrorContinuation.STOP, 1), new IdPlaceholder(),
                core.kms(), core.test().clock());
    }
}
