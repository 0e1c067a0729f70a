package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;

/**
 * A public key registered alone, ready for Encrypt or Signature Verify: the object (Active, its
 * usage mask granting the operation), its key as X.509 SubjectPublicKeyInfo for the core, and the
 * key type its attributes name, which selects the scheme. The core checks that the key really is
 * of a type that fits the scheme.
 */
record RegisteredPublicKey(StoredObject object, Bytes spki, KeyType type) {
    static final int VERIFY = 0x02;
    static final int ENCRYPT = 0x04;

    /** The public key a request names, if it allows {@code usageBit} of the Cryptographic Usage Mask. */
    static RegisteredPublicKey usable(OperationContext context, ObjectAccess access, Ttlv request, int usageBit) {
        StoredObject object = access.storedObjects().load(context, context.uniqueIdentifier(request));
        if (object.kind() != StoredObject.Kind.PUBLIC_KEY) {
            throw KmsError.invalid("object " + object.uid() + " is not a key");
        }
        if (object.state() != ObjectState.ACTIVE) {
            throw KmsError.precondition("object " + object.uid() + " is not Active");
        }
        int mask = Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_USAGE_MASK).map(Ttlv::asInt).orElse(0);
        if ((mask & usageBit) == 0) {
            throw KmsError.denied("the Cryptographic Usage Mask of object " + object.uid() + " does not allow this");
        }
        int algorithm = Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_ALGORITHM).map(Ttlv::asEnum)
                .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD,
                        "object " + object.uid() + " has no Cryptographic Algorithm"));
        int length = Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_LENGTH).map(Ttlv::asInt).orElse(0);
        KeyType type = KeyTypes.keyType(algorithm, length, 0);
        Ttlv block = access.storedObjects().value(context, object).require(Tag.KEY_BLOCK);
        Ttlv material = block.require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL);
        return new RegisteredPublicKey(object, KeyFormats.spki(material.asBytes(), block.require(Tag.KEY_FORMAT_TYPE)
                .asEnum()), type);
    }

    String coreId() {
        return object.object().id();
    }

    /** The request's Cryptographic Parameters over the object's stored ones. */
    CryptoParameters parameters(Ttlv request) {
        return CryptoParameters.of(request.find(Tag.CRYPTOGRAPHIC_PARAMETERS),
                Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_PARAMETERS));
    }
}
