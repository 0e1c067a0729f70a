package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;

/** Signature Verify: answers Validity Indicator Valid or Invalid; a bad signature is not an error. */
final class SignatureVerifyHandler implements OperationHandler {
    static final int VALID = 1;
    static final int INVALID = 2;

    private final ObjectAccess access;

    SignatureVerifyHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.SIGNATURE_VERIFY;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        KmipObject object = access.usable(context, request);
        boolean valid = context.keys().verify(context.caller(), SignHandler.signRequest(object, request),
                request.require(Tag.SIGNATURE_DATA).asBytes());
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()),
                Ttlv.enumeration(Tag.VALIDITY_INDICATOR, valid ? VALID : INVALID));
    }
}
