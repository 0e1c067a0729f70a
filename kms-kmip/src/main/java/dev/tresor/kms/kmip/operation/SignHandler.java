package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.SignRequest;
import java.util.Optional;

/** Sign: RSA-PSS (salt = hash length, MGF1 over the same hash), RSA PKCS#1 v1.5 or ECDSA (DER), over Data or Digested Data. */
final class SignHandler implements OperationHandler {
    private final ObjectAccess access;

    SignHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.SIGN;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        KmipObject object = access.usable(context, request, UsePeriod.Use.PROTECT);
        SignRequest sign = signRequest(object, request);
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()),
                Ttlv.bytes(Tag.SIGNATURE_DATA, context.keys().sign(context.caller(), sign)));
    }

    /** The core request for Sign and Signature Verify: the message, or its digest when the client hashed it. */
    static SignRequest signRequest(KmipObject object, Ttlv request) {
        Optional<Ttlv> digested = request.find(Tag.DIGESTED_DATA);
        Ttlv data = digested.orElseGet(() -> ObjectAccess.data(request));
        return new SignRequest(object.id().versionRef(), data.asBytes(), digested.isPresent(),
                Optional.of(ObjectAccess.parameters(object, request).signatureScheme(object.key().type())));
    }
}
