package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.Optional;

/** Hash: a digest of Data with the requested Hashing Algorithm; needs no object. */
final class HashHandler implements OperationHandler {
    @Override
    public Operation operation() {
        return Operation.HASH;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        String hash = CryptoParameters.of(request.find(Tag.CRYPTOGRAPHIC_PARAMETERS), Optional.empty()).hashName();
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.bytes(Tag.DATA, context.keys().hash(context.caller(), hash, ObjectAccess.data(request).asBytes())));
    }
}
