package dev.tresor.kms.key;

import dev.tresor.kms.tenant.TenantId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An RSA key pair whose public half customers use to wrap BYOK material. Its state is derived
 * from the clock: {@code expired} once {@code expiresAt} has passed.
 */
public record WrappingKey(
        String id,
        TenantId tenant,
        String keyRingId,
        String displayName,
        Optional<String> description,
        WrappingAlgorithm algorithm,
        Purpose purpose,
        String protection,
        Key.AccessScope accessScope,
        boolean deleted,
        Instant createdAt,
        Instant expiresAt,
        String publicKeyPem) {

    /** STACKIT's wrapping purposes. */
    public enum Purpose {
        WRAP_SYMMETRIC_KEY, WRAP_ASYMMETRIC_KEY;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** STACKIT's wrapping key states. */
    public enum State {
        ACTIVE, EXPIRED, DELETED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public WrappingKey {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(keyRingId);
        Objects.requireNonNull(displayName);
        Objects.requireNonNull(description);
        Objects.requireNonNull(algorithm);
        Objects.requireNonNull(purpose);
        Objects.requireNonNull(protection);
        Objects.requireNonNull(accessScope);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(expiresAt);
        Objects.requireNonNull(publicKeyPem);
    }

    public State stateAt(Instant now) {
        if (deleted) {
            return State.DELETED;
        }
        return now.isBefore(expiresAt) ? State.ACTIVE : State.EXPIRED;
    }
}
