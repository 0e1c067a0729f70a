package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.Optional;

/**
 * Signature Verify with a key pair's public half or a public key registered alone: answers Validity
 * Indicator Valid or Invalid; a bad signature is not an error.
 */
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
        Bytes signature = request.require(Tag.SIGNATURE_DATA).asBytes();
        if (StoredObject.names(context.uniqueIdentifier(request))) {
            RegisteredPublicKey key = RegisteredPublicKey.usable(context, access, request, RegisteredPublicKey.Purpose.VERIFY);
            Optional<Ttlv> digested = request.find(Tag.DIGESTED_DATA);
            boolean valid = key.withCoreKey(context, () -> context.keys().verifyWithPublicKey(context.caller(),
                    key.coreId(), key.parameters(request).signatureScheme(key.type()),
                    digested.orElseGet(() -> ObjectAccess.data(request)).asBytes(), digested.isPresent(), signature));
            return answer(key.object().uid(), valid);
        }
        KmipObject object = access.usable(context, request, UsePeriod.Use.PROCESS);
        return answer(object.id().uid(),
                context.keys().verify(context.caller(), SignHandler.signRequest(object, request), signature));
    }

    private static Ttlv answer(String uid, boolean valid) {
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid),
                Ttlv.enumeration(Tag.VALIDITY_INDICATOR, valid ? VALID : INVALID));
    }
}
