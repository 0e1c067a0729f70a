package dev.tresor.kms.key;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a key. Material never lives here: it is stored under the barrier and reached
 * only through the material cache. {@code stateBeforeDestroy} is what restore returns to.
 * {@code digests} are kept from when the material was made (empty in records stored before
 * digests were kept); {@code materialServed} and {@code publicKeyServed} turn true, once, when the
 * plain material or the public key first leaves to a client (KMIP's Fresh is their negation; they
 * are kept in a record of their own, see {@link KeyLedger}). {@code revocation} is set when a KMIP
 * Revoke disabled the version; a version disabled any other way has none (and is not exported).
 * {@code origin} says whether Tresor generated the material or a client imported it; records
 * stored before it was kept have none, and such a version is not known to be generated.
 */
public record KeyVersion(
        String keyId,
        String keyRingId,
        long number,
        VersionState state,
        Instant createdAt,
        Optional<Instant> destroyDate,
        Optional<VersionState> stateBeforeDestroy,
        Optional<String> publicKeyPem,
        Optional<VersionDigests> digests,
        boolean materialServed,
        boolean publicKeyServed,
        Optional<Revocation> revocation,
        Optional<VersionOrigin> origin) {

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
        Objects.requireNonNull(digests);
        Objects.requireNonNull(revocation);
        Objects.requireNonNull(origin);
    }

    public boolean disabled() {
        return state == VersionState.DISABLED;
    }

    public KeyVersion withState(VersionState newState, Optional<Instant> newDestroyDate, Optional<VersionState> before) {
        return new KeyVersion(keyId, keyRingId, number, newState, createdAt, newDestroyDate, before, publicKeyPem,
                digests, materialServed, publicKeyServed, revocation, origin);
    }

    /** This version once {@code half} has left to a client. */
    public KeyVersion served(Half half) {
        return new KeyVersion(keyId, keyRingId, number, state, createdAt, destroyDate, stateBeforeDestroy,
                publicKeyPem, digests, materialServed || half == Half.MATERIAL, publicKeyServed || half == Half.PUBLIC_KEY,
                revocation, origin);
    }

    /** This version disabled by a revocation ({@code why}), or with its revocation cleared when enabled again. */
    public KeyVersion withRevocation(Optional<Revocation> why) {
        return new KeyVersion(keyId, keyRingId, number, state, createdAt, destroyDate, stateBeforeDestroy,
                publicKeyPem, digests, materialServed, publicKeyServed, why, origin);
    }

    /** Whether Tresor is known to have generated this version's material (false for a record that does not say). */
    public boolean generated() {
        return origin.equals(Optional.of(VersionOrigin.GENERATED));
    }

    public boolean wasServed(Half half) {
        return half == Half.MATERIAL ? materialServed : publicKeyServed;
    }

    /** What of a version can leave: its plain (secret) material, or the public key of an asymmetric key. */
    public enum Half { MATERIAL, PUBLIC_KEY }
}
