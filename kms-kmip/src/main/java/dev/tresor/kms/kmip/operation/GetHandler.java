package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.Optional;

/**
 * Get: the object's Key Block. Secret material (a symmetric or private key) leaves only if the
 * key is exportable, which the core checks; public keys always may. A symmetric key may be asked
 * for wrapped under another key of the instance ({@link KeyWrapping}); wrapping is never applied
 * unasked. A stored object (secret data, opaque object, certificate,
 * lone public key) comes back as it was registered; secret data and opaque objects only if
 * exportable, none marked Sensitive (refused: 1.4+ reason Sensitive, before it Permission Denied).
 */
final class GetHandler implements OperationHandler {
    private final ObjectAccess access;

    GetHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.GET;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Optional<KeyWrapping> wrapping = request.find(Tag.KEY_WRAPPING_SPECIFICATION).map(KeyWrapping::of);
        Managed named = access.any(context, request);
        if (named.state().destroyed()) {
            String message = "object " + named.uid() + " is destroyed";
            throw context.version().isTwoOrLater() ? new KmipFailure(ResultReason.OBJECT_DESTROYED, message)
                    : KmsError.precondition(message);
        }
        boolean symmetricKey = named instanceof KmipObject key && key.type() == ObjectType.SYMMETRIC_KEY;
        if (wrapping.isPresent() && !symmetricKey) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED,
                    "key wrapping on Get is offered for symmetric keys");
        }
        if (named instanceof StoredObject stored) {
            return stored(context, request, stored);
        }
        KmipObject object = (KmipObject) named;
        ObjectType type = object.type();
        int format = request.find(Tag.KEY_FORMAT_TYPE).map(Ttlv::asEnum).orElse(object.defaultKeyFormat());
        Ttlv algorithm = Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, KeyTypes.algorithm(object.key().type()));
        Ttlv length = Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, object.key().type().bits());
        if (wrapping.isPresent()) {
            if (format != KeyFormats.RAW) {
                throw new KmipFailure(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED, "a wrapped key is Raw material");
            }
            return answer(type, object, wrapping.get().wrap(context, access, object, algorithm, length));
        }
        Ttlv material = switch (type) {
            case SYMMETRIC_KEY -> symmetric(context.keys().exportMaterial(context.caller(), object.id().versionRef()),
                    format);
            case PRIVATE_KEY -> Ttlv.bytes(Tag.KEY_MATERIAL, KeyFormats.privateKey(
                    context.keys().exportMaterial(context.caller(), object.id().versionRef()), format,
                    object.key().type()));
            case PUBLIC_KEY -> Ttlv.bytes(Tag.KEY_MATERIAL, KeyFormats.publicKey(
                    context.keys().publicKey(context.caller(), object.id().versionRef()), format, object.key().type()));
        };
        Ttlv block = Ttlv.structure(Tag.KEY_BLOCK,
                Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, format),
                Ttlv.structure(Tag.KEY_VALUE, material),
                algorithm,
                length);
        return answer(type, object, block);
    }

    private static Ttlv answer(ObjectType type, KmipObject object, Ttlv block) {
        Tag objectTag = switch (type) {
            case SYMMETRIC_KEY -> Tag.SYMMETRIC_KEY;
            case PRIVATE_KEY -> Tag.PRIVATE_KEY;
            case PUBLIC_KEY -> Tag.PUBLIC_KEY;
        };
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.enumeration(Tag.OBJECT_TYPE, type.code()),
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()),
                Ttlv.structure(objectTag, block));
    }

    /** A stored object as it was registered; a key block only in the format it came in. */
    private Ttlv stored(OperationContext context, Ttlv request, StoredObject object) {
        Ttlv value;
        try {
            value = access.storedObjects().value(context, object);
        } catch (KmsError e) {
            if (e.code() == ErrorCode.PERMISSION_DENIED && object.object().sensitive()
                    && context.version().atLeast(ProtocolVersion.V1_4)) {
                throw new KmipFailure(ResultReason.SENSITIVE, e.getMessage());
            }
            throw e;
        }
        Optional<Integer> registeredFormat = value.find(Tag.KEY_BLOCK).map(b -> b.require(Tag.KEY_FORMAT_TYPE).asEnum());
        Optional<Integer> wanted = request.find(Tag.KEY_FORMAT_TYPE).map(Ttlv::asEnum);
        if (wanted.isPresent() && registeredFormat.isPresent() && !wanted.equals(registeredFormat)) {
            throw new KmipFailure(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED,
                    "object " + object.uid() + " is offered in the format it was registered in only");
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.enumeration(Tag.OBJECT_TYPE, object.kind().code()),
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()),
                value);
    }

    private static Ttlv symmetric(Bytes raw, int format) {
        return switch (format) {
            case KeyFormats.RAW -> Ttlv.bytes(Tag.KEY_MATERIAL, raw);
            case KeyFormats.TRANSPARENT_SYMMETRIC_KEY -> Ttlv.structure(Tag.KEY_MATERIAL, Ttlv.bytes(Tag.KEY, raw));
            default -> throw new KmipFailure(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED,
                    "symmetric keys are offered as Raw or Transparent Symmetric Key");
        };
    }
}
