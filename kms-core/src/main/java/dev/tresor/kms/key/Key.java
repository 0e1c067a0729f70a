package dev.tresor.kms.key;

import dev.tresor.kms.tenant.TenantId;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A key: metadata shared by all its versions. {@code algorithm} is present when the key was made
 * through REST (it pins the scheme); KMIP keys carry only a type and usages and choose the scheme
 * per call. {@code attributes} holds front-end attributes the core keeps but does not interpret
 * (the KMIP Name, stored Cryptographic Parameters, links ...). {@code lastVersion} is the highest
 * version number ever given, so a purged version's number is never reused. {@code release} holds
 * the Tresor release terms (releasable, release policy, gated uses); {@code usageLimit} what the
 * key may still protect, if it is limited; {@code usePeriods} when each version (by number) may
 * protect and process, where that is limited (KMIP Protect Stop and Process Start Dates).
 */
public record Key(
        String id,
        TenantId tenant,
        String keyRingId,
        String displayName,
        Optional<String> description,
        KeyType type,
        Set<KeyUsage> usages,
        Optional<Algorithm> algorithm,
        String protection,
        AccessScope accessScope,
        boolean importOnly,
        boolean exportable,
        KeyState state,
        Instant createdAt,
        Optional<Instant> deletionDate,
        long lastVersion,
        Map<String, String> attributes,
        ReleaseTerms release,
        Optional<UsageLimit> usageLimit,
        Map<Long, UsePeriod> usePeriods) {

    public enum AccessScope { PUBLIC, SNA }

    public Key {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(keyRingId);
        Objects.requireNonNull(displayName);
        Objects.requireNonNull(description);
        Objects.requireNonNull(type);
        usages = usages.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(usages));
        Objects.requireNonNull(algorithm);
        Objects.requireNonNull(protection);
        Objects.requireNonNull(accessScope);
        Objects.requireNonNull(state);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(deletionDate);
        attributes = Map.copyOf(attributes);
        release = release == null ? ReleaseTerms.NONE : release; // records stored before release terms existed
        usageLimit = usageLimit == null ? Optional.empty() : usageLimit; // and before usage limits
        usePeriods = usePeriods == null ? Map.of() : Map.copyOf(usePeriods); // and before use periods
    }

    /** Whether plain material may leave (the rule {@link KeyService#exportMaterial} applies): exportable, no release policy. */
    public boolean materialLeaves() {
        return exportable && release.policy().isEmpty();
    }

    public boolean allows(KeyUsage usage) {
        return usages.contains(usage);
    }

    /** STACKIT's purpose of this key, derived from its algorithm or, for KMIP keys, its type. */
    public Purpose purpose() {
        if (algorithm.isPresent()) {
            return algorithm.get().purpose();
        }
        return switch (type.family()) {
            case AES, CHACHA20 -> Purpose.SYMMETRIC_ENCRYPT_DECRYPT;
            case HMAC -> Purpose.MESSAGE_AUTHENTICATION_CODE;
            case EC -> Purpose.ASYMMETRIC_SIGN_VERIFY;
            case RSA -> usages.contains(KeyUsage.SIGN) ? Purpose.ASYMMETRIC_SIGN_VERIFY : Purpose.ASYMMETRIC_ENCRYPT_DECRYPT;
        };
    }

    public Key withState(KeyState newState, Optional<Instant> newDeletionDate) {
        return new Key(id, tenant, keyRingId, displayName, description, type, usages, algorithm, protection,
                accessScope, importOnly, exportable, newState, createdAt, newDeletionDate, lastVersion, attributes,
                release, usageLimit, usePeriods);
    }

    public Key withAttributes(Map<String, String> newAttributes) {
        return new Key(id, tenant, keyRingId, displayName, description, type, usages, algorithm, protection,
                accessScope, importOnly, exportable, state, createdAt, deletionDate, lastVersion, newAttributes, release, usageLimit,
                usePeriods);
    }

    public Key withRelease(ReleaseTerms terms) {
        return new Key(id, tenant, keyRingId, displayName, description, type, usages, algorithm, protection,
                accessScope, importOnly, exportable, state, createdAt, deletionDate, lastVersion, attributes, terms, usageLimit,
                usePeriods);
    }

    public Key withLastVersion(long number) {
        return new Key(id, tenant, keyRingId, displayName, description, type, usages, algorithm, protection,
                accessScope, importOnly, exportable, state, createdAt, deletionDate, number, attributes, release, usageLimit,
                usePeriods);
    }

    Key withUsageLimit(UsageLimit limit) {
        return new Key(id, tenant, keyRingId, displayName, description, type, usages, algorithm, protection,
                accessScope, importOnly, exportable, state, createdAt, deletionDate, lastVersion, attributes, release,
                Optional.of(limit), usePeriods);
    }

    /** When version {@code number} may protect and process; {@link UsePeriod#ALWAYS} unless set. */
    public UsePeriod usePeriod(long number) {
        return usePeriods.getOrDefault(number, UsePeriod.ALWAYS);
    }

    Key withUsePeriod(long number, UsePeriod period) {
        Map<Long, UsePeriod> periods = new java.util.HashMap<>(usePeriods);
        if (period.equals(UsePeriod.ALWAYS)) {
            periods.remove(number);
        } else {
            periods.put(number, period);
        }
        return new Key(id, tenant, keyRingId, displayName, description, type, usages, algorithm, protection,
                accessScope, importOnly, exportable, state, createdAt, deletionDate, lastVersion, attributes, release,
                usageLimit, periods);
    }
}
