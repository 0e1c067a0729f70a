package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Create Key Pair: one asymmetric core key, two KMIP objects (the private key and its public
 * half), each with the common attributes plus its own. Without usage masks the pair signs and
 * verifies. The private key becomes the ID Placeholder.
 */
final class CreateKeyPairHandler implements OperationHandler {
    private static final int SIGN = 0x01;
    private static final int VERIFY = 0x02;
    private static final int PRIVATE_KEY_LINK = 0x103;
    private static final int PUBLIC_KEY_LINK = 0x102;

    private final NewObjects newObjects;

    CreateKeyPairHandler(NewObjects newObjects) {
        this.newObjects = newObjects;
    }

    @Override
    public Operation operation() {
        return Operation.CREATE_KEY_PAIR;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        ProtectionStorage.checkRequest(request);
        Map<String, List<Ttlv>> common = Attributes.read(
                request.find(Tag.COMMON_TEMPLATE_ATTRIBUTE).or(() -> request.find(Tag.COMMON_ATTRIBUTES)));
        Map<String, List<Ttlv>> privateOnly = Attributes.read(
                request.find(Tag.PRIVATE_KEY_TEMPLATE_ATTRIBUTE).or(() -> request.find(Tag.PRIVATE_KEY_ATTRIBUTES)));
        Map<String, List<Ttlv>> publicOnly = Attributes.read(
                request.find(Tag.PUBLIC_KEY_TEMPLATE_ATTRIBUTE).or(() -> request.find(Tag.PUBLIC_KEY_ATTRIBUTES)));
        Map<String, List<Ttlv>> privateAttributes = merged(common, privateOnly);
        Map<String, List<Ttlv>> publicAttributes = merged(common, publicOnly);
        int algorithm = Attributes.first(privateAttributes, Tag.CRYPTOGRAPHIC_ALGORITHM).map(Ttlv::asEnum)
                .orElseThrow(() -> new KmipFailure(ResultReason.INVALID_FIELD, "Cryptographic Algorithm is required"));
        int length = Attributes.first(privateAttributes, Tag.CRYPTOGRAPHIC_LENGTH).map(Ttlv::asInt).orElse(0);
        int curve = Attributes.first(privateAttributes, Tag.RECOMMENDED_CURVE).map(Ttlv::asEnum)
                .or(() -> Attributes.first(privateAttributes, Tag.CRYPTOGRAPHIC_DOMAIN_PARAMETERS)
                        .flatMap(p -> p.find(Tag.RECOMMENDED_CURVE)).map(Ttlv::asEnum))
                .orElse(0);
        KeyType type = KeyTypes.keyType(algorithm, length, curve);
        if (!type.isAsymmetric()) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "Create Key Pair makes RSA or EC keys");
        }
        int privateMask = NewObjects.usageMask(privateAttributes, SIGN);
        int publicMask = NewObjects.usageMask(publicAttributes, VERIFY);
        Set<KeyUsage> usages = EnumSet.noneOf(KeyUsage.class);
        usages.addAll(KeyTypes.usages(privateMask, type));
        usages.addAll(KeyTypes.usages(publicMask, type));
        Map<Boolean, Map<String, List<Ttlv>>> halves = new LinkedHashMap<>();
        halves.put(false, link(NewObjects.withMask(privateAttributes, privateMask), PUBLIC_KEY_LINK));
        halves.put(true, link(NewObjects.withMask(publicAttributes, publicMask), PRIVATE_KEY_LINK));
        Key key = newObjects.create(context, type, usages, new NewObjects.Origin.Generated(), halves,
                NewObjects.exportable(privateAttributes));
        ObjectId privateKey = new ObjectId(key.id(), 1, false);
        context.placeholder().set(privateKey.uid());
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                Ttlv.text(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER, privateKey.uid()),
                Ttlv.text(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER, privateKey.toPublic().uid()));
    }

    private static Map<String, List<Ttlv>> merged(Map<String, List<Ttlv>> common, Map<String, List<Ttlv>> own) {
        Map<String, List<Ttlv>> merged = new LinkedHashMap<>(common);
        merged.putAll(own);
        return merged;
    }

    /**
     * The link to the other half. Its identifier is not known before the core names the key, so
     * it is stored as {@link KmipObject#OTHER_HALF} and resolved when read.
     */
    private static Map<String, List<Ttlv>> link(Map<String, List<Ttlv>> attributes, int type) {
        Map<String, List<Ttlv>> linked = new LinkedHashMap<>(attributes);
        linked.put(Attributes.specName(Tag.LINK), List.of(Ttlv.structure(Tag.ATTRIBUTE_VALUE,
                Ttlv.enumeration(Tag.LINK_TYPE, type),
                Ttlv.text(Tag.LINKED_OBJECT_IDENTIFIER, KmipObject.OTHER_HALF))));
        return linked;
    }
}
