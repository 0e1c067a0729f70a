package dev.tresor.kms.service;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key.AccessScope;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.UsageLimit;
import dev.tresor.kms.key.UsePeriod;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Creates a key (and, unless import-only, its first version). REST passes an algorithm, which
 * fixes type and usages; KMIP passes a type and usages. {@code exportable} empty = the project's
 * default. {@code usageLimit}: how much the key may protect (KMIP Usage Limits), if limited;
 * {@code usePeriod}: when its first version may protect and process (KMIP dates).
 */
public record CreateKey(
        String keyRingId,
        String displayName,
        Optional<String> description,
        KeyType type,
        Set<KeyUsage> usages,
        Optional<Algorithm> algorithm,
        String protection,
        AccessScope accessScope,
        boolean importOnly,
        Optional<Boolean> exportable,
        Map<String, String> attributes,
        Optional<UsageLimit> usageLimit,
        UsePeriod usePeriod) {

    public CreateKey {
        Objects.requireNonNull(keyRingId);
        Objects.requireNonNull(displayName);
        Objects.requireNonNull(description);
        Objects.requireNonNull(type);
        usages = Set.copyOf(usages);
        Objects.requireNonNull(algorithm);
        Objects.requireNonNull(protection);
        Objects.requireNonNull(accessScope);
        Objects.requireNonNull(exportable);
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(usageLimit);
        Objects.requireNonNull(usePeriod);
    }

    /** A key whose first version may be used at any time. */
    public CreateKey(String keyRingId, String displayName, Optional<String> description, KeyType type,
                     Set<KeyUsage> usages, Optional<Algorithm> algorithm, String protection, AccessScope accessScope,
                     boolean importOnly, Optional<Boolean> exportable, Map<String, String> attributes,
                     Optional<UsageLimit> usageLimit) {
        this(keyRingId, displayName, description, type, usages, algorithm, protection, accessScope, importOnly,
                exportable, attributes, usageLimit, UsePeriod.ALWAYS);
    }

    /** A key without a usage limit. */
    public CreateKey(String keyRingId, String displayName, Optional<String> description, KeyType type,
                     Set<KeyUsage> usages, Optional<Algorithm> algorithm, String protection, AccessScope accessScope,
                     boolean importOnly, Optional<Boolean> exportable, Map<String, String> attributes) {
        this(keyRingId, displayName, description, type, usages, algorithm, protection, accessScope, importOnly,
                exportable, attributes, Optional.empty());
    }

    /** A key as the STACKIT API creates it: the algorithm decides type, usages and scheme. */
    public static CreateKey rest(String keyRingId, String displayName, Optional<String> description,
                                 Algorithm algorithm, String protection, AccessScope accessScope, boolean importOnly) {
        return new CreateKey(keyRingId, displayName, description, algorithm.keyType(),
                algorithm.purpose().usages(), Optional.of(algorithm), protection, accessScope, importOnly,
                Optional.empty(), Map.of());
    }

    /** A key as KMIP creates it: a type and usages, the scheme chosen per call. */
    public static CreateKey typed(String keyRingId, String displayName, KeyType type, Set<KeyUsage> usages,
                                  Optional<Boolean> exportable, Map<String, String> attributes) {
        return new CreateKey(keyRingId, displayName, Optional.empty(), type,
                usages.isEmpty() ? EnumSet.noneOf(KeyUsage.class) : EnumSet.copyOf(usages), Optional.empty(),
                "software", AccessScope.PUBLIC, false, exportable, attributes);
    }
}
