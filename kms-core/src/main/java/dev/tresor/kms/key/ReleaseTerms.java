package dev.tresor.kms.key;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Whether and to whom a key may leave Tresor: {@code releasable} is fixed when the key is created;
 * {@code policy} is the release policy's JSON text (validated when set); {@code
 * attestationRequiredFor} names the uses that need fresh evidence besides release. Kept on the
 * key record so the hot path reads them from the cache; never part of the STACKIT key JSON.
 */
public record ReleaseTerms(boolean releasable, Optional<String> policy, Set<Use> attestationRequiredFor) {
    public static final ReleaseTerms NONE = new ReleaseTerms(false, Optional.empty(), Set.of());

    /** What attestation may be required for. The core's decrypt serves both decrypt and unwrap. */
    public enum Use {
        RELEASE, DECRYPT, UNWRAP;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Use> fromWire(String name) {
            for (Use use : values()) {
                if (use.wireName().equals(name)) {
                    return Optional.of(use);
                }
            }
            return Optional.empty();
        }
    }

    public ReleaseTerms {
        Objects.requireNonNull(policy);
        attestationRequiredFor = attestationRequiredFor.isEmpty() ? Set.of()
                : Set.copyOf(EnumSet.copyOf(attestationRequiredFor));
        if (policy.isEmpty() && !attestationRequiredFor.isEmpty()) {
            throw new IllegalArgumentException("attestation can only be required with a release policy");
        }
    }

    public static ReleaseTerms releasable(boolean releasable) {
        return new ReleaseTerms(releasable, Optional.empty(), Set.of());
    }

    /** True when a decrypt (or unwrap) without fresh evidence must be refused. */
    public boolean gatesDecrypt() {
        return attestationRequiredFor.contains(Use.DECRYPT) || attestationRequiredFor.contains(Use.UNWRAP);
    }

    public ReleaseTerms withPolicy(Optional<String> newPolicy, Set<Use> requiredFor) {
        return new ReleaseTerms(releasable, newPolicy, requiredFor);
    }
}
