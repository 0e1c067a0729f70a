package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Get Attributes: the named attributes (all when none are named; in 1.x all but Tresor's own
 * {@code y-…} ones) that the object has; a name it lacks is left out, not an error. 1.x answers
 * Attribute items, 2.x one Attributes structure.
 */
final class GetAttributesHandler implements OperationHandler {
    private static final int SHA_256 = 0x06;

    private final ObjectAccess access;

    GetAttributesHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.GET_ATTRIBUTES;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Managed object = access.described(context, request);
        List<String> names = Attributes.requestedNames(request);
        boolean digestWanted = names.isEmpty() || names.contains(Attributes.specName(Tag.DIGEST));
        Map<String, List<Ttlv>> all = digestWanted && object instanceof KmipObject key ? withDigest(context, key)
                : object.attributes();
        Map<String, List<Ttlv>> chosen = new LinkedHashMap<>();
        if (names.isEmpty()) {
            chosen.putAll(all);
            if (!context.version().isTwoOrLater()) {
                // 1.x clients type custom attributes as text (PyKMIP 0.10 fails on any other): Tresor's only when named.
                chosen.keySet().removeIf(Attributes::serverSet);
            }
        } else {
            names.stream().filter(all::containsKey).forEach(name -> chosen.put(name, all.get(name)));
        }
        List<Ttlv> encoded = Attributes.encodeAll(chosen, context.version());
        List<Ttlv> answer = new ArrayList<>();
        answer.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()));
        if (context.version().isTwoOrLater()) {
            answer.add(Ttlv.structure(Tag.ATTRIBUTES, encoded));
        } else {
            answer.addAll(encoded);
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }

    /**
     * The attributes with Digest after Cryptographic Length: SHA-256 of the Raw symmetric key, of
     * the PKCS#1 form of an RSA key, of the X.509 form of an EC public key. Secret material is
     * digested only when it may leave anyway (exportable); the core hashes it on the server. Key
     * Format Type joined the Digest structure in 1.1.
     */
    private static Map<String, List<Ttlv>> withDigest(OperationContext context, KmipObject object) {
        Map<String, List<Ttlv>> attributes = object.attributes();
        Optional<Ttlv> digest = digest(context, object);
        if (digest.isEmpty()) {
            return attributes;
        }
        Map<String, List<Ttlv>> ordered = new LinkedHashMap<>();
        attributes.forEach((name, values) -> {
            ordered.put(name, values);
            if (name.equals(Attributes.specName(Tag.CRYPTOGRAPHIC_LENGTH))) {
                ordered.put(Attributes.specName(Tag.DIGEST), List.of(digest.get()));
            }
        });
        return ordered;
    }

    /** The Digest, unless the material may not be read (not exportable, or a role without crypto rights). */
    private static Optional<Ttlv> digest(OperationContext context, KmipObject object) {
        if (object.state().destroyed() || (object.type() != ObjectType.PUBLIC_KEY && !object.key().exportable())) {
            return Optional.empty();
        }
        int format = KeyFormats.described(object.type(), object.key().type());
        Bytes material;
        try {
            material = switch (object.type()) {
                case SYMMETRIC_KEY -> context.keys().exportMaterial(context.caller(), object.id().versionRef());
                case PRIVATE_KEY -> KeyFormats.privateKey(context.keys().exportMaterial(context.caller(),
                        object.id().versionRef()), format, object.key().type());
                case PUBLIC_KEY -> KeyFormats.publicKey(context.keys().publicKey(context.caller(),
                        object.id().versionRef()), format, object.key().type());
            };
        } catch (KmsError e) {
            if (e.code() == ErrorCode.PERMISSION_DENIED) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            List<Ttlv> fields = new ArrayList<>(List.of(Ttlv.enumeration(Tag.HASHING_ALGORITHM, SHA_256),
                    Ttlv.bytes(Tag.DIGEST_VALUE, context.keys().hash(context.caller(), "SHA-256", material))));
            if (context.version().atLeast(ProtocolVersion.V1_1)) {
                fields.add(Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, format));
            }
            return Optional.of(Ttlv.structure(Tag.ATTRIBUTE_VALUE, fields));
        } finally {
            material.zero();
        }
    }
}
