package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.List;
import java.util.Map;

/** Create: a symmetric key (AES or HMAC) from its Template-Attribute (1.x) or Attributes (2.x). */
final class CreateHandler implements OperationHandler {
    private static final int ENCRYPT_DECRYPT = 0x0C;

    private final NewObjects newObjects;

    CreateHandler(NewObjects newObjects) {
        this.newObjects = newObjects;
    }

    @Override
    public Operation operation() {
        return Operation.CREATE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        if (ObjectType.of(request.require(Tag.OBJECT_TYPE).asEnum()) != ObjectType.SYMMETRIC_KEY) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "Create makes symmetric keys; use Create Key Pair");
        }
        ProtectionStorage.checkRequest(request);
        Map<String, List<Ttlv>> attributes = Attributes.read(
                request.find(Tag.TEMPLATE_ATTRIBUTE).or(() -> request.find(Tag.ATTRIBUTES)));
        int algorithm = Attributes.first(attributes, Tag.CRYPTOGRAPHIC_ALGORITHM).map(Ttlv::asEnum)
                .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD, "Cryptographic Algorithm is required"));
        int length = Attributes.first(attributes, Tag.CRYPTOGRAPHIC_LENGTH).map(Ttlv::asInt).orElse(0);
        KeyType type = KeyTypes.keyType(algorithm, length, 0);
        int mask = NewObjects.usageMask(attributes, ENCRYPT_DECRYPT);
        Key key = newObjects.create(context, type, KeyTypes.usages(mask, type), new NewObjects.Origin.Generated(),
                Map.of(false, NewObjects.withMask(attributes, mask)), NewObjects.exportable(attributes));
        String uid = new ObjectId(key.id(), 1, false).uid();
        context.placeholder().set(uid);
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.enumeration(Tag.OBJECT_TYPE, ObjectType.SYMMETRIC_KEY.code()),
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid));
    }
}
