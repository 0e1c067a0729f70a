package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A public key registered alone, ready for Encrypt or Signature Verify: the object (Active, its
 * usage mask granting the operation) and the key type its attributes name, which selects the
 * scheme. The core uses the key it stored with the object and checks that it fits the scheme.
 */
record RegisteredPublicKey(StoredObject object, KeyType type) {
    /** What a public key does: its bit of the Cryptographic Usage Mask, and the kind of use its dates limit. */
    enum Purpose {
        ENCRYPT(0x04, UsePeriod.Use.PROTECT),
        VERIFY(0x02, UsePeriod.Use.PROCESS);

        private final int usageBit;
        private final UsePeriod.Use use;

        Purpose(int usageBit, UsePeriod.Use use) {
            this.usageBit = usageBit;
            this.use = use;
        }
    }

    /** The public key a request names, if its state, dates and Cryptographic Usage Mask allow {@code purpose}. */
    static RegisteredPublicKey usable(OperationContext context, ObjectAccess access, Ttlv request, Purpose purpose) {
        StoredObject object = access.storedObjects().load(context, context.uniqueIdentifier(request));
        if (object.kind() != StoredObject.Kind.PUBLIC_KEY) {
            throw KmsError.invalid("object " + object.uid() + " is not a key");
        }
        if (object.state() != ObjectState.ACTIVE) {
            throw KmsError.precondition("object " + object.uid() + " is not Active");
        }
        ObjectAccess.requireWithinDates(object, purpose.use, context.clock().instant());
        ObjectAccess.requireUsage(context, object, purpose.usageBit, purpose.name().toLowerCase(Locale.ROOT));
        int algorithm = Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_ALGORITHM).map(Ttlv::asEnum)
                .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD,
                        "object " + object.uid() + " has no Cryptographic Algorithm"));
        int length = Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_LENGTH).map(Ttlv::asInt).orElse(0);
        return new RegisteredPublicKey(object, KeyTypes.keyType(algorithm, length, 0));
    }

    String coreId() {
        return object.object().id();
    }

    /**
     * Runs {@code use}, a core call with the key the core keeps for this object. A public key
     * registered before the core kept keys has none there (the core refuses it as holding no key it
     * reads): the core is then given the key from the object's value, as Register gives it (once;
     * nothing is given for a format the core does not read, which stays refused), and {@code use}
     * runs again.
     */
    <T> T withCoreKey(OperationContext context, Supplier<T> use) {
        try {
            return use.get();
        } catch (KmsError e) {
            if (!e.is(KmsError.Detail.KEY_FORMAT_NOT_USABLE)) {
                throw e;
            }
            context.keys().adoptPublicKey(context.caller(), coreId(), StoredObjects::corePublicKey);
            return use.get();
        }
    }

    /** The request's Cryptographic Parameters over the object's stored ones. */
    CryptoParameters parameters(Ttlv request) {
        return CryptoParameters.of(request.find(Tag.CRYPTOGRAPHIC_PARAMETERS),
                Attributes.first(object.stored(), Tag.CRYPTOGRAPHIC_PARAMETERS));
    }
}
