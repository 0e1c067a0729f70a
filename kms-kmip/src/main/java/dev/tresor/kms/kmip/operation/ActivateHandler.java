package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.time.temporal.ChronoUnit;

/** Activate: Pre-Active → Active, Activation Date now. (The core version is enabled from creation.) */
final class ActivateHandler implements OperationHandler {
    private final ObjectAccess access;

    ActivateHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.ACTIVATE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Managed activated = access.lifecycleEdit(context, request, object -> {
            if (object.state() != ObjectState.PRE_ACTIVE) {
                throw KmsError.precondition("object " + object.uid() + " is not Pre-Active");
            }
            return object.withState(ObjectState.ACTIVE).with(Tag.ACTIVATION_DATE,
                    Ttlv.dateTime(Tag.ACTIVATION_DATE, context.clock().instant().truncatedTo(ChronoUnit.SECONDS)));
        });
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, activated.uid()));
    }
}
