package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Register (bring your own key over mutual TLS): a symmetric key (Raw or Transparent Symmetric
 * Key) or an RSA/EC private key (PKCS#8, or PKCS#1 or Transparent RSA Private Key for RSA) becomes an import-only core key with
 * the material as its first version. A public key alone, secret data, an opaque object or a
 * certificate becomes a stored object (see {@link StoredObjects}), kept as registered.
 */
final class RegisterHandler implements OperationHandler {
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int SIGN = 0x01;

    private final NewObjects newObjects;
    private final StoredObjects storedObjects;

    RegisterHandler(NewObjects newObjects, StoredObjects storedObjects) {
        this.newObjects = newObjects;
        this.storedObjects = storedObjects;
    }

    @Override
    public Operation operation() {
        return Operation.REGISTER;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        int objectType = request.require(Tag.OBJECT_TYPE).asEnum();
        Map<String, List<Ttlv>> attributes = Attributes.read(
                request.find(Tag.TEMPLATE_ATTRIBUTE).or(() -> request.find(Tag.ATTRIBUTES)));
        Optional<StoredObject.Kind> kind = StoredObject.Kind.of(objectType);
        if (kind.isPresent()) {
            String uid = storedObjects.register(context, kind.get(), request.require(kind.get().tag()), attributes).uid();
            context.placeholder().set(uid);
            return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid));
        }
        ObjectType type = ObjectType.of(objectType);
        Ttlv block = request.require(type == ObjectType.SYMMETRIC_KEY ? Tag.SYMMETRIC_KEY : Tag.PRIVATE_KEY)
                .require(Tag.KEY_BLOCK);
        if (block.find(Tag.KEY_WRAPPING_DATA).isPresent()) {
            throw new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, "wrapped key blocks are not accepted; use BYOK");
        }
        int format = block.require(Tag.KEY_FORMAT_TYPE).asEnum();
        int algorithm = block.find(Tag.CRYPTOGRAPHIC_ALGORITHM)
                .or(() -> Attributes.first(attributes, Tag.CRYPTOGRAPHIC_ALGORITHM)).map(Ttlv::asEnum)
                .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD, "Cryptographic Algorithm is required"));
        Bytes material = material(block.require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL), format, type);
        try {
            int length = block.find(Tag.CRYPTOGRAPHIC_LENGTH)
                    .or(() -> Attributes.first(attributes, Tag.CRYPTOGRAPHIC_LENGTH)).map(Ttlv::asInt)
                    .orElse(type == ObjectType.SYMMETRIC_KEY ? material.length() * 8 : 0);
            if (type == ObjectType.PRIVATE_KEY && algorithm == KeyTypes.RSA) {
                length = KeyFormats.rsaModulusBits(material);
            }
            int curve = Attributes.first(attributes, Tag.RECOMMENDED_CURVE).map(Ttlv::asEnum).orElse(0);
            KeyType keyType = KeyTypes.keyType(algorithm, length, curve);
            if (keyType.isAsymmetric() != (type == ObjectType.PRIVATE_KEY)) {
                throw new KmipFailure(ResultReason.INVALID_FIELD, "the object type does not fit the algorithm");
            }
            int mask = NewObjects.usageMask(attributes, type == ObjectType.SYMMETRIC_KEY ? ENCRYPT_DECRYPT : SIGN);
            Key key = newObjects.create(context, keyType, KeyTypes.usages(mask, keyType),
                    new NewObjects.Origin.Registered(format),
                    Map.of(false, NewObjects.withMask(attributes, mask)), NewObjects.exportable(attributes));
            ObjectId id = new ObjectId(key.id(), 1, false);
            try {
                context.keys().importPlainKey(context.caller(), id.key(), material);
            } catch (KmsError e) {
                context.keys().deleteKey(context.caller(), id.key());
                throw e;
            }
            context.placeholder().set(id.uid());
            return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, id.uid()));
        } finally {
            material.zero();
        }
    }

    /** The material as the core imports it: raw bytes, or PKCS#8; a copy this handler owns and zeroes. */
    private static Bytes material(Ttlv keyMaterial, int format, ObjectType type) {
        if (type == ObjectType.SYMMETRIC_KEY) {
            return switch (format) {
                case KeyFormats.RAW -> Bytes.of(keyMaterial.asBytes().toArray());
                case KeyFormats.TRANSPARENT_SYMMETRIC_KEY -> Bytes.of(keyMaterial.require(Tag.KEY).asBytes().toArray());
                default -> throw new KmipFailure(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED,
                        "symmetric keys are accepted as Raw or Transparent Symmetric Key");
            };
        }
        if (format == KeyFormats.TRANSPARENT_RSA_PRIVATE_KEY && keyMaterial.type() == ItemType.STRUCTURE) {
            return KeyFormats.transparentRsaPrivateKey(keyMaterial);
        }
        if (keyMaterial.type() != ItemType.BYTE_STRING) {
            throw new KmipFailure(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED,
                    "private keys are accepted as PKCS#8, PKCS#1 or Transparent RSA Private Key");
        }
        return Bytes.of(KeyFormats.importablePrivateKey(keyMaterial.asBytes(), format).toArray());
    }
}
