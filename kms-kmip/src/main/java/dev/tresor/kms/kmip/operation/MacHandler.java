package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.SignRequest;

/** MAC: HMAC with the key's own hash (the core signs with an HMAC key by computing its MAC). */
final class MacHandler implements OperationHandler {
    private final ObjectAccess access;

    MacHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.MAC;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        KmipObject object = access.usable(context, request, UsePeriod.Use.PROTECT);
        SignRequest mac = macRequest(context, object, request);
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()),
                Ttlv.bytes(Tag.MAC_DATA, context.keys().sign(context.caller(), mac)));
    }

    /** The core request for MAC and MAC Verify, in the scheme the key and its parameters select. */
    static SignRequest macRequest(OperationContext context, KmipObject object, Ttlv request) {
        ObjectAccess.requireCompatibleUsages(context, object);
        return new SignRequest(object.id().versionRef(), ObjectAccess.data(request).asBytes(), false,
                java.util.Optional.of(ObjectAccess.parameters(object, request).macScheme(object.key().type())));
    }
}
