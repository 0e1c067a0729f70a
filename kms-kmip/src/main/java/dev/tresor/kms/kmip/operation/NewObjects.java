package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.UsageLimit;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.CreateKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Creates the core key behind Create, Create Key Pair and Register, with the KMIP attributes of
 * its object(s) stored in the same call. A new object is Pre-Active unless the client set an
 * Activation Date that has come (spec 1.4 section 3.24). A key marked Quantum Safe must be one
 * (the Quantum Safe Server profile's test QS-M-2 expects General Failure otherwise).
 */
final class NewObjects {
    /** Attributes the server sets; a client may not supply them. */
    private static final Set<String> DERIVED = Stream.concat(Stream.of(
            Attributes.specName(Tag.UNIQUE_IDENTIFIER), Attributes.specName(Tag.OBJECT_TYPE),
            Attributes.specName(Tag.CRYPTOGRAPHIC_ALGORITHM), Attributes.specName(Tag.CRYPTOGRAPHIC_LENGTH),
            Attributes.specName(Tag.STATE), Attributes.specName(Tag.INITIAL_DATE),
            Attributes.specName(Tag.LAST_CHANGE_DATE), Attributes.specName(Tag.DIGEST),
            Attributes.specName(Tag.RECOMMENDED_CURVE), Attributes.specName(Tag.USAGE_LIMITS)),
            Attributes.SERVER_DERIVED.stream()).collect(Collectors.toUnmodifiableSet());
    private static final int UNIT_BYTE = 0x01;
    private static final int UNIT_OBJECT = 0x02;

    private final KmipObjects objects;

    NewObjects(KmipObjects objects) {
        this.objects = objects;
    }

    /** Where a new key's material comes from. */
    sealed interface Origin {
        /** The core generates it: the key names the generator in its Random Number Generator attribute. */
        record Generated() implements Origin {
        }

        /** A client registers it in {@code keyFormat}: the key's Key Format Type, and how Get answers by default. */
        record Registered(int keyFormat) implements Origin {
        }
    }

    /**
     * Creates one core key; {@code objectAttributes} holds the client's attributes of each KMIP
     * object of its first version, keyed by whether it is the public half of a pair. A registered
     * key is import-only.
     */
    Key create(OperationContext context, KeyType type, Set<KeyUsage> usages, Origin origin,
               Map<Boolean, Map<String, List<Ttlv>>> objectAttributes, Optional<Boolean> exportable) {
        if (usages.isEmpty()) {
            throw new KmipFailure(ResultReason.INVALID_FIELD,
                    "the Cryptographic Usage Mask grants nothing Tresor can do with a " + type + " key");
        }
        context.keys().usageConflict(context.caller(), type, usages).ifPresent(conflict -> {
            throw ObjectAccess.usageMaskRefusal(context, "the Cryptographic Usage Mask is refused: " + conflict);
        });
        boolean quantumSafe = objectAttributes.values().stream().anyMatch(attributes ->
                Attributes.first(attributes, Tag.QUANTUM_SAFE).map(Ttlv::asBoolean).orElse(false));
        if (quantumSafe && !quantumSafe(type)) {
            throw new KmipFailure(ResultReason.GENERAL_FAILURE, "Quantum Safe is requested, but a " + type
                    + " key is not quantum safe (only AES and HMAC keys of 256 bits or more are)");
        }
        Map<String, String> stored = new HashMap<>();
        String displayName = "kmip-object";
        for (Map.Entry<Boolean, Map<String, List<Ttlv>>> object : objectAttributes.entrySet()) {
            Map<String, List<Ttlv>> attributes = initial(context, object.getValue());
            if (origin instanceof Origin.Registered registered) {
                attributes.put(Attributes.specName(Tag.KEY_FORMAT_TYPE),
                        List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, registered.keyFormat())));
            } else {
                attributes.put(GeneratorAttribute.NAME, List.of(GeneratorAttribute.of(context.keys().keyGenerator())));
                attributes.put(ProtectionStorage.NAME, List.of(ProtectionStorage.software()));
            }
            stored.putAll(KmipObjects.encode(1, object.getKey(), attributes));
            displayName = Attributes.first(attributes, Tag.NAME).map(NewObjects::displayName).orElse(displayName);
        }
        // one limit per core key: the private (or secret) half's, else the one set on a public half
        Optional<UsageLimit> usageLimit = Stream.of(false, true)
                .flatMap(isPublic -> Optional.ofNullable(objectAttributes.get(isPublic)).stream())
                .flatMap(attributes -> Attributes.first(attributes, Tag.USAGE_LIMITS).stream())
                .findFirst().map(NewObjects::usageLimit);
        UsePeriod usePeriod = Optional.ofNullable(objectAttributes.get(false))
                .map(attributes -> ObjectAccess.corePeriod(type, attributes)).orElse(UsePeriod.ALWAYS);
        CreateKey request = new CreateKey(objects.ringId(context), displayName, Optional.empty(), type, usages,
                Optional.empty(), "software", Key.AccessScope.PUBLIC, origin instanceof Origin.Registered, exportable,
                stored, usageLimit, usePeriod);
        return context.keys().createKey(context.caller(), request);
    }

    /** Grover's search halves a symmetric key's strength; RSA and EC fall to Shor's algorithm. */
    private static boolean quantumSafe(KeyType type) {
        return (type.family() == KeyType.Family.AES || type.family() == KeyType.Family.HMAC) && type.bits() >= 256;
    }

    /**
     * What a new object stores: the client's attributes without the derived ones, plus state and
     * dates (Original Creation Date now, unless a registering client says when it was made).
     */
    static Map<String, List<Ttlv>> initial(OperationContext context, Map<String, List<Ttlv>> requested) {
        Instant now = context.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, List<Ttlv>> attributes = new LinkedHashMap<>();
        boolean active = Attributes.first(requested, Tag.ACTIVATION_DATE)
                .map(date -> !date.asDateTime().isAfter(now)).orElse(false);
        attributes.put(Attributes.specName(Tag.STATE), List.of(Ttlv.enumeration(Tag.ATTRIBUTE_VALUE,
                (active ? ObjectState.ACTIVE : ObjectState.PRE_ACTIVE).code())));
        attributes.put(Attributes.specName(Tag.INITIAL_DATE), List.of(Ttlv.dateTime(Tag.ATTRIBUTE_VALUE, now)));
        attributes.put(Attributes.specName(Tag.LAST_CHANGE_DATE), List.of(Ttlv.dateTime(Tag.ATTRIBUTE_VALUE, now)));
        attributes.put(Attributes.specName(Tag.ORIGINAL_CREATION_DATE), List.of(Ttlv.dateTime(Tag.ATTRIBUTE_VALUE, now)));
        requested.forEach((name, values) -> {
            if (!DERIVED.contains(name) && !Attributes.serverSet(name)) {
                attributes.put(name, values);
            }
        });
        return attributes;
    }

    /**
     * Usage Limits (spec 1.4 section 3.21): a Total of bytes or objects, which the core checks and
     * enforces; a Count the client sets is what remains of it.
     */
    private static UsageLimit usageLimit(Ttlv limits) {
        long total = limits.find(Tag.USAGE_LIMITS_TOTAL).map(Ttlv::asLong).orElseThrow(() -> new KmipFailure(
                ResultReason.INVALID_FIELD, "Usage Limits needs a Usage Limits Total"));
        UsageLimit.Unit unit = switch (limits.find(Tag.USAGE_LIMITS_UNIT).map(Ttlv::asEnum).orElse(0)) {
            case UNIT_BYTE -> UsageLimit.Unit.BYTE;
            case UNIT_OBJECT -> UsageLimit.Unit.OBJECT;
            default -> throw new KmipFailure(ResultReason.INVALID_FIELD, "Usage Limits Unit must be Byte or Object");
        };
        return new UsageLimit(unit, total, limits.find(Tag.USAGE_LIMITS_COUNT).map(Ttlv::asLong).orElse(total));
    }

    /** The Usage Limits attribute of a core limit. */
    static Ttlv usageLimits(UsageLimit limit) {
        return Ttlv.structure(Tag.ATTRIBUTE_VALUE, Ttlv.longInteger(Tag.USAGE_LIMITS_TOTAL, limit.total()),
                Ttlv.longInteger(Tag.USAGE_LIMITS_COUNT, limit.remaining()),
                Ttlv.enumeration(Tag.USAGE_LIMITS_UNIT, limit.unit() == UsageLimit.Unit.BYTE ? UNIT_BYTE : UNIT_OBJECT));
    }

    /** The core's display name rules are stricter than a KMIP Name: keep what fits. */
    private static String displayName(Ttlv name) {
        String text = name.require(Tag.NAME_VALUE).asText().replaceAll("[^a-zA-Z0-9_-]", "_");
        return text.isEmpty() ? "kmip-object" : text.substring(0, Math.min(64, text.length()));
    }

    /** The usage mask a request sets, or {@code fallback} when it sets none. */
    static int usageMask(Map<String, List<Ttlv>> attributes, int fallback) {
        return Attributes.first(attributes, Tag.CRYPTOGRAPHIC_USAGE_MASK).map(Ttlv::asInt).orElse(fallback);
    }

    /**
     * Whether the client asked for the value to leave (Extractable) or not (Sensitive); empty: the
     * project's default. Tresor wraps nothing on Get, so Extractable and Sensitive must disagree.
     */
    static Optional<Boolean> exportable(Map<String, List<Ttlv>> attributes) {
        Optional<Boolean> extractable = Attributes.first(attributes, Tag.EXTRACTABLE).map(Ttlv::asBoolean);
        Optional<Boolean> sensitive = sensitive(attributes);
        if (extractable.isPresent() && sensitive.isPresent() && extractable.get() == sensitive.get()) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, extractable.get()
                    ? "a Sensitive object is not Extractable: Tresor wraps nothing on Get"
                    : "an object that is not Extractable is Sensitive");
        }
        return extractable.or(() -> sensitive.map(s -> !s));
    }

    static Optional<Boolean> sensitive(Map<String, List<Ttlv>> attributes) {
        return Attributes.first(attributes, Tag.SENSITIVE).map(Ttlv::asBoolean);
    }

    static Map<String, List<Ttlv>> withMask(Map<String, List<Ttlv>> attributes, int mask) {
        Map<String, List<Ttlv>> copy = new LinkedHashMap<>(attributes);
        copy.put(Attributes.specName(Tag.CRYPTOGRAPHIC_USAGE_MASK), List.of(Ttlv.integer(Tag.ATTRIBUTE_VALUE, mask)));
        return copy;
    }
}
