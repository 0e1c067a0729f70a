package dev.tresor.kms.key;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a key. Material never lives here: it is stored under the barrier and reached
 * only through the material cache. {@code stateBeforeDestroy} is what restore returns to.
 */
public record KeyVersion(
        String keyId,
        String keyRingId,
        long number,
        VersionState state,
        Instant createdAt,
        Optional<Instant> destroyDate,
        Optional<VersionState> stateBeforeDestroy,
        Optional<String> publicKeyPem) {

    public KeyVersion {
        Objects.requireNonNull(keyId);
        Objects.requireNonNull(keyRingId);
        if (number < 1) {
            throw new IllegalArgumentException("version numbers start at 1");
        }
        Objects.requireNonNull(state);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(destroyDate);
        Objects.requireNonNull(stateBeforeDestroy);
        Objects.requireNonNull(publicKeyPem);
    }

    public boolean disabled() {
        return state == VersionState.DISABLED;
    }

    public KeyVersion withState(VersionState newState, Optional<Instant> newDestroyDate, Optional<VersionState> before) {
        return new KeyVersion(keyId, keyRingId, number, newState, createdAt, newDestroyDate, before, publicKeyPem);
    }
}
