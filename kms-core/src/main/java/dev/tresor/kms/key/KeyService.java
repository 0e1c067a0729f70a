package dev.tresor.kms.key;

import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.crypto.KeyDigests;
import dev.tresor.kms.crypto.KeyMaterial;
import dev.tresor.kms.crypto.LoadedKey;
import dev.tresor.kms.crypto.MaterialAccess;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The lifecycle of key rings, keys and versions. Each change is prepared (validated, material
 * generated, time stamped) without holding a lock, then applied under the key's lock as one batch
 * handed to {@code commit}, which adds the audit record and writes it durably. The one write
 * without a record of its own is {@link #markServed}: bookkeeping of an export, written apart.
 *
 * <p>Deleted keys and destroyed versions stay restorable until their date; from that instant
 * they are NOT_FOUND everywhere, and {@link #purgeExpired} erases them from the store.
 */
public final class KeyService {
    /** The kinds of record that belong to one key (see {@link KeyLedger}). */
    private static final Set<String> KEY_RECORDS = Set.of("key", "ver", "mat");

    private final KeyLedger ledger;
    private final KeyRecords records;
    private final Crypto crypto;
    private final MaterialCache cache;
    private final Clock clock;
    private final Duration deletionGrace;
    private final MaterialAccess access = MaterialAccess.obtain();
    private final Stripes keyLocks = new Stripes();
    private final Stripes ringLocks = new Stripes();

    public KeyService(BarrierStore store, Crypto crypto, MaterialCache cache, Clock clock, Duration deletionGrace) {
        this.ledger = new KeyLedger(store);
        this.records = new KeyRecords(ledger);
        this.crypto = crypto;
        this.cache = cache;
        this.clock = clock;
        this.deletionGrace = deletionGrace;
    }

    // --- key rings -------------------------------------------------------------------------

    public KeyRing createKeyRing(TenantId tenant, CreateKeyRing request, Consumer<BarrierStore.Batch> commit) {
        Names.checkDisplayName(request.displayName());
        request.description().ifPresent(Names::checkDescription);
        KeyRing ring = new KeyRing(UUID.randomUUID().toString(), tenant, request.displayName(),
                request.description(), clock.instant());
        BarrierStore.Batch batch = ledger.batch();
        ledger.put(batch, ring);
        commit.accept(batch);
        return ring;
    }

    public List<KeyRing> listKeyRings(TenantId tenant) {
        return ledger.rings(tenant).stream().sorted(Comparator.comparing(KeyRing::createdAt)).toList();
    }

    public KeyRing keyRing(TenantId tenant, String ringId) {
        return ledger.ring(tenant, ringId).orElseThrow(() -> KmsError.notFound("key ring " + ringId));
    }

    /**
     * Deletes an empty ring, with its expired or deleted wrapping keys. Holds the ring's lock
     * alone, so no key is being created in it meanwhile.
     */
    public void deleteKeyRing(TenantId tenant, String ringId, Consumer<BarrierStore.Batch> commit) {
        ringLocks.exclusive(ringId, () -> {
            KeyRing ring = keyRing(tenant, ringId);
            boolean hasKeys = liveKeys(tenant).stream().anyMatch(k -> k.keyRingId().equals(ringId));
            if (hasKeys) {
                throw KmsError.invalid("key ring " + ringId + " still holds keys; delete is refused");
            }
            Instant now = clock.instant();
            boolean hasWrappingKeys = ledger.wrappingKeys(tenant).stream()
                    .anyMatch(w -> w.keyRingId().equals(ringId) && w.stateAt(now) == WrappingKey.State.ACTIVE);
            if (hasWrappingKeys) {
                throw KmsError.invalid("key ring " + ringId + " still holds active wrapping keys; delete is refused");
            }
            BarrierStore.Batch batch = ledger.batch();
            ledger.wrappingKeys(tenant).stream()
                    .filter(w -> w.keyRingId().equals(ringId))
                    .forEach(w -> ledger.purge(batch, w));
            ledger.delete(batch, ring);
            commit.accept(batch);
            return null;
        });
    }

    Clock clock() {
        return clock;
    }

    // --- keys ------------------------------------------------------------------------------

    /**
     * Creates a key and, unless import-only, its first version. Material is generated before any
     * lock is taken: RSA-4096 can take seconds.
     */
    public Key createKey(TenantId tenant, CreateKey request, KmipLegacy legacy, Consumer<BarrierStore.Batch> commit) {
        return createKey(tenant, request, legacy, ReleaseTerms.NONE, commit);
    }

    /**
     * Creates a key with its release terms (Tresor's releasable keys). The project's {@code legacy}
     * opt-ins decide whether a key without an algorithm is exportable when the request does not say,
     * and whether an AES key may both MAC and cipher.
     */
    public Key createKey(TenantId tenant, CreateKey request, KmipLegacy legacy, ReleaseTerms release,
                         Consumer<BarrierStore.Batch> commit) {
        Names.checkDisplayName(request.displayName());
        request.description().ifPresent(Names::checkDescription);
        checkUsages(request, legacy);
        Attributes.check(request.attributes());
        Optional<KeyMaterial> material = request.importOnly() ? Optional.empty()
                : Optional.of(crypto.generate(request.type()));
        try {
            return ringLocks.shared(request.keyRingId(), () -> {
                keyRing(tenant, request.keyRingId());
                Instant now = clock.instant();
                Key key = new Key(UUID.randomUUID().toString(), tenant, request.keyRingId(), request.displayName(),
                        request.description(), request.type(), request.usages(), request.algorithm(),
                        request.protection(), request.accessScope(), request.importOnly(),
                        request.exportable().orElse(legacy.exportableByDefault() && request.algorithm().isEmpty()),
                        material.isPresent() ? KeyState.ACTIVE : KeyState.NO_VERSION, now, Optional.empty(), 0,
                        request.attributes(), release, request.usageLimit(), Map.of())
                        .withUsePeriod(1, request.usePeriod());
                BarrierStore.Batch batch = ledger.batch();
                if (material.isPresent()) {
                    key = addVersion(batch, key, material.get(), VersionOrigin.GENERATED, now).key();
                }
                ledger.put(batch, key);
                invalidating(tenant, key.id(), commit).accept(batch);
                return key;
            });
        } finally {
            material.ifPresent(KeyMaterial::destroy);
        }
    }

    public List<Key> listKeys(TenantId tenant, String ringId) {
        keyRing(tenant, ringId);
        return liveKeys(tenant).stream().filter(k -> k.keyRingId().equals(ringId)).toList();
    }

    public List<Key> listAllKeys(TenantId tenant) {
        return liveKeys(tenant);
    }

    /** The primary version number of every live key of the tenant that is not deleted and has an active version. */
    public Map<String, Long> primaryVersions(TenantId tenant) {
        Map<String, Long> primaries = new java.util.HashMap<>();
        for (Key key : liveKeys(tenant)) {
            if (key.state() != KeyState.DELETED) {
                primary(tenant, key.id()).ifPresent(v -> primaries.put(key.id(), v.number()));
            }
        }
        return primaries;
    }

    /** A key that exists and is not past its deletion date; under the named ring if one is given. */
    public Key key(TenantId tenant, KeyRef ref) {
        Instant now = clock.instant();
        return records.get(tenant, ref.keyId()).key()
                .filter(k -> ref.keyRingId().map(k.keyRingId()::equals).orElse(true))
                .filter(k -> !purgeDue(k, now))
                .orElseThrow(() -> KmsError.notFound("key " + ref.keyId()));
    }

    public Key deleteKey(TenantId tenant, KeyRef ref, Consumer<BarrierStore.Batch> commit) {
        return changeKey(tenant, ref, commit, key -> {
            if (key.state() == KeyState.DELETED) {
                throw KmsError.invalid("key " + key.id() + " is already scheduled for deletion");
            }
            return deleted(key);
        });
    }

    /** The soft delete: purged once the grace period is over, restorable until then. */
    private Key deleted(Key key) {
        return key.withState(KeyState.DELETED, Optional.of(clock.instant().plus(deletionGrace)));
    }

    public Key restoreKey(TenantId tenant, KeyRef ref, Consumer<BarrierStore.Batch> commit) {
        return changeKey(tenant, ref, commit, key -> {
            if (key.state() != KeyState.DELETED) {
                throw KmsError.precondition("key " + key.id() + " is not deleted");
            }
            boolean hasVersions = !liveVersions(tenant, key.id()).isEmpty();
            return key.withState(hasVersions ? KeyState.ACTIVE : KeyState.NO_VERSION, Optional.empty());
        });
    }

    /**
     * Runs {@code use}, a protecting use of {@code bytes} of data with {@code key}, within the
     * key's usage limit. Without a limit it just runs. With one, it holds the key's lock, refuses
     * (PERMISSION_DENIED) a use that needs more than remains before any work, and commits the
     * reduced limit through {@code commit}: in the batch that carries the call's audit record.
     */
    public <T> T withinUsageLimit(TenantId tenant, Key key, long bytes, Consumer<BarrierStore.Batch> commit,
                                  Supplier<T> use) {
        if (key.usageLimit().isEmpty()) {
            return use.get();
        }
        return keyLocks.exclusive(key.id(), () -> {
            Key current = key(tenant, KeyRef.byId(key.id()));
            UsageLimit after = current.usageLimit().orElseThrow().after(key.id(), bytes);
            T result = use.get();
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, current.withUsageLimit(after));
            invalidating(tenant, key.id(), commit).accept(batch);
            return result;
        });
    }

    /**
     * Replaces the key's attributes only if they still are {@code expected}: a front-end's
     * read-modify-write of them (KMIP) never writes over a change made since it read them, by
     * another call or an undo (FAILED_PRECONDITION then).
     */
    public Key replaceAttributes(TenantId tenant, KeyRef ref, Map<String, String> expected,
                                 Map<String, String> attributes, Consumer<BarrierStore.Batch> commit) {
        return replaceAttributes(tenant, ref, expected, attributes, commit, key -> key, Optional.empty());
    }

    /**
     * {@link #replaceAttributes}, and in the same write version {@code version} takes the
     * replacement's period and, if it carries one, the key or that version its lifecycle step,
     * judged on them as they are under the key's lock once the attributes may be replaced: the
     * step is made only if the attributes are saved. The write commits through
     * {@code stepCommit}'s commit for the step if it changes the key or the version, else through
     * {@code commit}. A step outside {@code possible}, the steps the call declared, is refused
     * before anything is written.
     */
    public Key replaceAttributes(TenantId tenant, KeyRef ref, Map<String, String> expected, long version,
                                 Set<LifecycleStep> possible, AttributeReplacement replacement,
                                 Consumer<BarrierStore.Batch> commit,
                                 Function<LifecycleStep, Consumer<BarrierStore.Batch>> stepCommit) {
        replacement.step().filter(step -> !possible.contains(step)).ifPresent(step -> {
            throw new IllegalArgumentException("lifecycle step " + step + " was not declared for this save");
        });
        return replaceAttributes(tenant, ref, expected, replacement.attributes(), commit,
                key -> key.withUsePeriod(version, replacement.period()),
                replacement.step().map(step -> stepped(tenant, version, step, stepCommit.apply(step))));
    }

    /** {@code step} as a change made in an attribute save: to the key, or to version {@code version}. */
    private Step stepped(TenantId tenant, long version, LifecycleStep step, Consumer<BarrierStore.Batch> commit) {
        return switch (step) {
            case REVOKE, REVOKE_COMPROMISED -> new Step(UnaryOperator.identity(),
                    Optional.of(new VersionChange(version, v -> revoked(v, step.revocation().orElseThrow()))), commit);
            case DESTROY_VERSION -> new Step(UnaryOperator.identity(), Optional.of(new VersionChange(version,
                    v -> v.state() == VersionState.DESTROYED ? v : destroyed(v))), commit);
            case DELETE_KEY -> new Step(key -> deletedWithOnly(key, version), Optional.empty(), commit);
            case DELETE_KEY_IF_DESTROYED ->
                    new Step(key -> deletedIfDestroyed(tenant, key, version), Optional.empty(), commit);
        };
    }

    /**
     * {@code key} deleted as the step of an attribute save chose it on: with {@code version} its last
     * version. A version added since (REST rotate or import) is one the deletion was not chosen
     * on, so the save lost a compare-and-set; a front-end trying again judges the key afresh.
     */
    private Key deletedWithOnly(Key key, long version) {
        if (key.state() == KeyState.DELETED) {
            return key;
        }
        if (key.lastVersion() != version) {
            throw KmsError.changedMeanwhile("key " + key.id());
        }
        return deleted(key);
    }

    /** {@link #deletedWithOnly}, unless {@code version} is live (restored since its material's destroy). */
    private Key deletedIfDestroyed(TenantId tenant, Key key, long version) {
        boolean live = key.state() != KeyState.DELETED
                && versionToStep(tenant, key, version).filter(v -> v.state() != VersionState.DESTROYED).isPresent();
        return live ? key : deletedWithOnly(key, version);
    }

    private Key replaceAttributes(TenantId tenant, KeyRef ref, Map<String, String> expected,
                                  Map<String, String> attributes, Consumer<BarrierStore.Batch> commit,
                                  UnaryOperator<Key> alsoChange, Optional<Step> step) {
        Attributes.check(attributes);
        return changeKey(tenant, ref, commit, key -> {
            if (!key.attributes().equals(expected)) {
                throw KmsError.changedMeanwhile("key " + key.id());
            }
            return alsoChange.apply(key.withAttributes(attributes));
        }, step);
    }

    /** Sets or clears the release policy and the gated uses; releasability stays as created. */
    public Key setReleasePolicy(TenantId tenant, KeyRef ref, Optional<String> policy, Set<ReleaseTerms.Use> requiredFor,
                                Consumer<BarrierStore.Batch> commit) {
        return changeKey(tenant, ref, commit, key -> key.withRelease(key.release().withPolicy(policy, requiredFor)));
    }

    // --- versions --------------------------------------------------------------------------

    public KeyVersion rotateKey(TenantId tenant, KeyRef ref, Consumer<BarrierStore.Batch> commit) {
        return rotateKey(tenant, ref, () -> UsePeriod.ALWAYS, commit);
    }

    /**
     * {@link #rotateKey}, the new version limited to the period {@code period} gives, in the
     * rotation's own write. {@code period} is asked only once the key may be rotated (it is usable
     * and not import-only), so that its own refusal (a {@code KmsError}) never hides the core's.
     */
    public KeyVersion rotateKey(TenantId tenant, KeyRef ref, Supplier<UsePeriod> period,
                                Consumer<BarrierStore.Batch> commit) {
        Key key = usableKey(tenant, ref);
        if (key.importOnly()) {
            throw KmsError.denied("key " + key.id() + " is import-only: versions can only be imported");
        }
        UsePeriod limits = period.get();
        KeyMaterial material = crypto.generate(key.type());
        try {
            return appendVersion(tenant, ref, material, VersionOrigin.GENERATED, limits, commit);
        } finally {
            material.destroy();
        }
    }

    /** Adds a version from plain material, after checking it fits the key's type. */
    public KeyVersion importMaterial(TenantId tenant, KeyRef ref, KeyMaterial material,
                                     Consumer<BarrierStore.Batch> commit) {
        Key key = usableKey(tenant, ref);
        crypto.load(key.type(), material).destroy();
        return appendVersion(tenant, ref, material, VersionOrigin.IMPORTED, UsePeriod.ALWAYS, commit);
    }

    public List<KeyVersion> listVersions(TenantId tenant, KeyRef ref) {
        Key key = key(tenant, ref);
        return liveVersions(tenant, key.id());
    }

    /** A version that exists and is not past its destroy date; {@code PRIMARY} = the newest active one. */
    public KeyVersion version(TenantId tenant, VersionRef ref) {
        Key key = key(tenant, ref.key());
        if (ref.isPrimary()) {
            return primary(tenant, key.id())
                    .orElseThrow(() -> KmsError.precondition("key " + key.id() + " has no active version"));
        }
        Instant now = clock.instant();
        return records.get(tenant, key.id()).version(ref.number())
                .filter(v -> !purgeDue(v, now))
                .orElseThrow(() -> KmsError.notFound("version " + ref.number() + " of key " + key.id()));
    }

    public KeyVersion disableVersion(TenantId tenant, VersionRef ref, Consumer<BarrierStore.Batch> commit) {
        return changeVersion(tenant, ref, commit, v -> {
            if (v.state() != VersionState.ACTIVE && v.state() != VersionState.DISABLED) {
                throw KmsError.precondition("version " + v.number() + " is " + v.state().wireName());
            }
            return v.withState(VersionState.DISABLED, Optional.empty(), Optional.empty());
        });
    }

    public KeyVersion enableVersion(TenantId tenant, VersionRef ref, Consumer<BarrierStore.Batch> commit) {
        return changeVersion(tenant, ref, commit, v -> {
            if (v.state() != VersionState.ACTIVE && v.state() != VersionState.DISABLED) {
                throw KmsError.precondition("version " + v.number() + " is " + v.state().wireName());
            }
            return v.withState(VersionState.ACTIVE, Optional.empty(), Optional.empty()).withRevocation(Optional.empty());
        });
    }

    /**
     * The one transition of a revocation: an active version is disabled and marked revoked
     * ({@code why}), which keeps it exportable; a version revoked before may become compromised.
     * Any other version is left as it is, unrefused: one disabled without a revocation (a revoke
     * must not make what an operator disabled exportable again), or destroyed.
     */
    private static KeyVersion revoked(KeyVersion v, Revocation why) {
        if (v.state() == VersionState.ACTIVE) {
            return v.withState(VersionState.DISABLED, Optional.empty(), Optional.empty())
                    .withRevocation(Optional.of(why));
        }
        if (v.state() == VersionState.DISABLED && v.revocation().isPresent() && why == Revocation.COMPROMISED) {
            return v.withRevocation(Optional.of(why));
        }
        return v;
    }

    public KeyVersion destroyVersion(TenantId tenant, VersionRef ref, Consumer<BarrierStore.Batch> commit) {
        return changeVersion(tenant, ref, commit, v -> {
            if (v.state() == VersionState.DESTROYED) {
                throw KmsError.precondition("version " + v.number() + " is already destroyed");
            }
            return destroyed(v);
        });
    }

    /** The soft destroy: purged at its destroy date, restorable to the state it had until then. */
    private KeyVersion destroyed(KeyVersion v) {
        return v.withState(VersionState.DESTROYED, Optional.of(clock.instant().plus(deletionGrace)),
                Optional.of(v.state()));
    }

    public KeyVersion restoreVersion(TenantId tenant, VersionRef ref, Consumer<BarrierStore.Batch> commit) {
        return changeVersion(tenant, ref, commit, v -> {
            if (v.state() != VersionState.DESTROYED) {
                throw KmsError.precondition("version " + v.number() + " is not destroyed");
            }
            return v.withState(v.stateBeforeDestroy().orElse(VersionState.DISABLED), Optional.empty(),
                    Optional.empty());
        });
    }

    // --- material --------------------------------------------------------------------------

    /**
     * The loaded key of a usable version for a cryptographic {@code use}: key not deleted, version
     * active, and the version's use period allows the use (every encrypt, wrap, sign, MAC,
     * decrypt, unwrap and verify of every front-end comes through here). All is checked again on
     * the current record after the material is loaded, at the same instant: a delete, disable,
     * destroy or period change that committed meanwhile wins. Only a state change drops the
     * material again; a period refuses this use, not the calls of other uses sharing the material.
     */
    public LoadedKey usableMaterial(TenantId tenant, Key key, KeyVersion version, UsePeriod.Use use) {
        return usableMaterial(tenant, key, version, Optional.of(use));
    }

    private LoadedKey usableMaterial(TenantId tenant, Key key, KeyVersion version, Optional<UsePeriod.Use> use) {
        Instant now = clock.instant();
        requireUsable(key, version);
        requireInPeriod(key, version, use, now);
        LoadedKey loaded = cache.get(tenant, key.type(), key.id(), version.number(), storedMaterial(tenant, key, version));
        KeyRecords.Entry entry = records.get(tenant, key.id());
        Optional<KeyVersion> current = entry.version(version.number());
        if (entry.key().isEmpty() || current.isEmpty()) {
            cache.forget(tenant, key.id(), version.number());
            throw KmsError.notFound("version " + version.number() + " of key " + key.id());
        }
        try {
            requireUsable(entry.key().get(), current.get());
        } catch (KmsError changedMeanwhile) {
            cache.forget(tenant, key.id(), version.number());
            throw changedMeanwhile;
        }
        requireInPeriod(entry.key().get(), version, use, now);
        return loaded;
    }

    private static void requireInPeriod(Key key, KeyVersion version, Optional<UsePeriod.Use> use, Instant now) {
        use.ifPresent(u -> key.usePeriod(version.number()).require(u, now,
                () -> "version " + version.number() + " of key " + key.id()));
    }

    private static void requireUsable(Key key, KeyVersion version) {
        if (key.state() == KeyState.DELETED) {
            throw KmsError.precondition("key " + key.id() + " is deleted");
        }
        if (version.state() != VersionState.ACTIVE) {
            throw KmsError.precondition("version " + version.number() + " of key " + key.id() + " is "
                    + version.state().wireName());
        }
    }

    /** Plain material that left, and the version it is of (whose revocation the export's audit names). */
    public record Exported(KeyVersion version, Bytes material) {
    }

    /**
     * Plain material of an exportable key's version that is active or revoked (raw symmetric,
     * PKCS#8 private): a revocation stops a version's use, not its owner's retrieval of it (KMIP
     * Gets a revoked key), while a version disabled without a revocation, destroyed or in any other
     * state, or of a deleted key, is refused. The state is checked again once the material is read,
     * so a destroy or delete that committed meanwhile wins. A key with a release policy leaves only
     * by attested release, whatever its exportable flag. The caller marks it served once it has
     * really left ({@link #markServed}).
     */
    public Exported exportMaterial(TenantId tenant, VersionRef ref) {
        Key key = key(tenant, ref.key());
        if (!key.exportable()) {
            throw KmsError.denied("key " + key.id() + " is not exportable");
        }
        if (key.release().policy().isPresent()) {
            throw KmsError.denied("key " + key.id()
                    + " has a release policy: its material leaves only by attested release");
        }
        KeyVersion version = version(tenant, ref);
        requireExportable(key, version);
        byte[] material = storedMaterial(tenant, key, version).get();
        KeyRecords.Entry now = records.get(tenant, key.id());
        Optional<KeyVersion> current = now.version(version.number());
        try {
            if (now.key().isEmpty() || current.isEmpty()) {
                throw KmsError.notFound("version " + version.number() + " of key " + key.id());
            }
            requireExportable(now.key().get(), current.get());
        } catch (KmsError changedMeanwhile) {
            Arrays.fill(material, (byte) 0);
            throw changedMeanwhile;
        }
        return new Exported(current.get(), Bytes.wrap(material));
    }

    private static void requireExportable(Key key, KeyVersion version) {
        boolean revoked = version.state() == VersionState.DISABLED && version.revocation().isPresent();
        if (key.state() == KeyState.DELETED || !(version.state() == VersionState.ACTIVE || revoked)) {
            requireUsable(key, version);
        }
    }

    /**
     * Records, once, that {@code half} of {@code version} has left to a client: the first time
     * costs one durable write, every later time nothing. The flags are their own record, not the
     * version's, so an undo that puts a version back never takes them back (what left, left) nor
     * finds the version changed by them. Written under the key's lock, and only while the version
     * exists (a purge is never followed by a flag).
     */
    public void markServed(TenantId tenant, KeyVersion version, KeyVersion.Half half) {
        if (version.wasServed(half)) {
            return;
        }
        keyLocks.exclusive(version.keyId(), () -> {
            ledger.version(tenant, version.keyId(), version.number()).filter(v -> !v.wasServed(half)).ifPresent(v -> {
                BarrierStore.Batch batch = ledger.batch();
                ledger.putServed(batch, tenant, v.served(half));
                try {
                    ledger.write(batch);
                } finally {
                    records.invalidate(tenant, version.keyId());
                }
            });
            return null;
        });
    }

    /** A released version: its record and its material as a JWK (JSON bytes the caller zeroes). */
    public record Released(KeyVersion version, byte[] jwk) {
    }

    /** The material of a usable version of a key created releasable, as a JWK; else PERMISSION_DENIED. */
    public Released releasableJwk(TenantId tenant, VersionRef ref) {
        Key key = key(tenant, ref.key());
        if (!key.release().releasable()) {
            throw KmsError.denied("key " + key.id() + " was not created releasable");
        }
        KeyVersion version = version(tenant, ref);
        // a release is no cryptographic use: like KMIP Get, the version's use period does not limit it
        usableMaterial(tenant, key, version, Optional.empty());
        byte[] material = storedMaterial(tenant, key, version).get();
        try {
            Released released = new Released(version, KeyJwk.of(key.type(), material, version.publicKeyPem()));
            markServed(tenant, version, KeyVersion.Half.MATERIAL);
            return released;
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    // --- undo ------------------------------------------------------------------------------

    /**
     * Runs {@code undo} (the check and atomic write of an undo) holding the locks of every key
     * whose records are among {@code paths}, taken in one order, and drops what is cached of those
     * keys before letting go: no change to them lands between the check and the write, and nothing
     * undone is served from memory afterwards. PERMISSION_DENIED, before any lock, for a path that
     * is not one of the tenant's records.
     */
    public void undoing(TenantId tenant, Set<String> paths, Runnable undo) {
        Set<String> keyIds = new TreeSet<>();
        for (String path : paths) {
            KeyLedger.Located record = KeyLedger.locateUndone(tenant, path);
            if (KEY_RECORDS.contains(record.kind())) {
                keyIds.add(record.id());
            }
        }
        keyLocks.exclusiveAll(keyIds, () -> {
            try {
                undo.run();
            } finally {
                keyIds.forEach(keyId -> {
                    records.invalidate(tenant, keyId);
                    cache.forgetKey(tenant, keyId);
                });
            }
            return null;
        });
    }

    /**
     * Adds to {@code batch} what an undo writes for the records a group of calls {@code created}:
     * a key or object it created is not erased but deleted the normal way (restorable until the
     * deletion grace ends, then purged), since another call may have used it meanwhile; its id is
     * never given out again. A version added to a key that existed before cannot be taken back (its
     * material may have been used, its number would be given again): FAILED_PRECONDITION. Runs
     * within {@link #undoing}, so the records read here are those the undo checks.
     */
    public void softDeleteCreated(TenantId tenant, Set<String> created, BarrierStore.Batch batch) {
        List<KeyLedger.Located> located = created.stream().map(path -> KeyLedger.locateUndone(tenant, path)).toList();
        Set<String> newKeys = new TreeSet<>();
        located.stream().filter(r -> r.kind().equals("key")).forEach(r -> newKeys.add(r.id()));
        Optional<Instant> until = Optional.of(clock.instant().plus(deletionGrace));
        for (KeyLedger.Located record : located) {
            switch (record.kind()) {
                case "key" -> ledger.key(tenant, record.id())
                        .ifPresent(key -> ledger.put(batch, key.withState(KeyState.DELETED, until)));
                case "obj" -> ledger.object(tenant, record.id())
                        .ifPresent(object -> ledger.put(batch, object.withDeletionDate(until), null));
                case "ver", "mat" -> {
                    if (!newKeys.contains(record.id())) {
                        throw KmsError.precondition("cannot undo: key " + record.id()
                                + " got a new version, which may already have been used; nothing was undone");
                    }
                }
                default -> {
                    if (!KeyLedger.OBJECT_RECORDS.contains(record.kind())) {
                        throw KmsError.precondition("cannot undo the creation of a " + record.kind()
                                + "; nothing was undone");
                    }
                    // any other record of an object stays with it
                }
            }
        }
    }

    // --- purge -----------------------------------------------------------------------------

    /**
     * Erases every key past its deletion date and every version past its destroy date, in every
     * tenant of {@code tenants}, each key in its own commit, until {@code stopRequested}; answers
     * how many keys and versions were erased.
     */
    public int purgeExpired(List<TenantId> tenants, PurgeCommit commit, BooleanSupplier stopRequested) {
        Instant now = clock.instant();
        int erased = 0;
        for (TenantId tenant : tenants) {
            for (Key key : ledger.keys(tenant)) {
                if (stopRequested.getAsBoolean()) {
                    return erased;
                }
                erased += purgeKey(tenant, key.id(), now, commit);
            }
        }
        return erased;
    }

    private int purgeKey(TenantId tenant, String keyId, Instant now, PurgeCommit commit) {
        return keyLocks.exclusive(keyId, () -> {
            Optional<Key> current = ledger.key(tenant, keyId);
            if (current.isEmpty()) {
                return 0;
            }
            Key key = current.get();
            String resource = "keyrings/" + key.keyRingId() + "/keys/" + keyId;
            BarrierStore.Batch batch = ledger.batch();
            if (purgeDue(key, now)) {
                ledger.purge(batch, key);
                invalidating(tenant, keyId, commit.forItem(tenant, resource)).accept(batch);
                cache.forgetKey(tenant, keyId);
                return 1;
            }
            List<Long> erased = new java.util.ArrayList<>();
            for (KeyVersion version : ledger.versions(tenant, keyId)) {
                if (purgeDue(version, now)) {
                    erased.add(version.number());
                    ledger.purge(batch, tenant, keyId, version.number());
                }
            }
            if (!erased.isEmpty()) {
                String versions = erased.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
                invalidating(tenant, keyId, commit.forItem(tenant, resource + "/versions/" + versions)).accept(batch);
                erased.forEach(number -> cache.forget(tenant, keyId, number));
            }
            return erased.size();
        });
    }

    /** How the purger commits: one audit record per erased item, in that item's tenant. */
    @FunctionalInterface
    public interface PurgeCommit {
        Consumer<BarrierStore.Batch> forItem(TenantId tenant, String resource);
    }

    // --- use periods stored before the core kept them ---------------------------------------

    /**
     * Gives each version of key {@code keyId} that has no use period the one {@code stored} reads
     * from the key's record (its front-end attributes, for a key stored before the core kept
     * periods), one write per version; never replaces a period, so never widens one, except that
     * a key the front-end keeps no period for ({@link StoredPeriods#none}) loses any an earlier
     * build gave it. Under the key's lock: no change lands between the read and the writes.
     * Answers the periods written (ALWAYS for a removed one); a key past its deletion date gets none.
     */
    public Map<Long, UsePeriod> fillUsePeriods(TenantId tenant, String keyId,
                                               Function<Key, StoredPeriods> stored, PeriodCommit commit) {
        return keyLocks.exclusive(keyId, () -> {
            Optional<Key> current = ledger.key(tenant, keyId).filter(k -> !purgeDue(k, clock.instant()));
            if (current.isEmpty()) {
                return Map.of();
            }
            Key key = current.get();
            StoredPeriods read = stored.apply(key);
            Map<Long, UsePeriod> changes = new java.util.TreeMap<>();
            if (read.keptByTheCore()) {
                read.periods().forEach((number, period) -> {
                    if (!key.usePeriods().containsKey(number) && number >= 1 && number <= key.lastVersion()
                            && !period.equals(UsePeriod.ALWAYS)) {
                        changes.put(number, period);
                    }
                });
            } else {
                key.usePeriods().keySet().forEach(number -> changes.put(number, UsePeriod.ALWAYS));
            }
            Key changed = key;
            for (Map.Entry<Long, UsePeriod> period : changes.entrySet()) {
                UsePeriod was = changed.usePeriod(period.getKey());
                changed = changed.withUsePeriod(period.getKey(), period.getValue());
                BarrierStore.Batch batch = ledger.batch();
                ledger.put(batch, changed);
                invalidating(tenant, keyId, commit.forVersion(tenant, changed, period.getKey(), was)).accept(batch);
            }
            return changes;
        });
    }

    /**
     * How a pass that changes a version's use period commits: its audit record, in that write's
     * batch; {@code key} holds the new period, {@code was} the one it replaced.
     */
    @FunctionalInterface
    public interface PeriodCommit {
        Consumer<BarrierStore.Batch> forVersion(TenantId tenant, Key key, long version, UsePeriod was);
    }

    // --- internals -------------------------------------------------------------------------

    private Supplier<byte[]> storedMaterial(TenantId tenant, Key key, KeyVersion version) {
        return () -> ledger.material(tenant, key.id(), version.number())
                .orElseThrow(() -> KmsError.internal("material of version " + version.number() + " of key "
                        + key.id() + " is missing", null));
    }

    private Key usableKey(TenantId tenant, KeyRef ref) {
        Key key = key(tenant, ref);
        if (key.state() == KeyState.DELETED) {
            throw KmsError.precondition("key " + key.id() + " is deleted");
        }
        return key;
    }

    private KeyVersion appendVersion(TenantId tenant, KeyRef ref, KeyMaterial material, VersionOrigin origin,
                                     UsePeriod period, Consumer<BarrierStore.Batch> commit) {
        return keyLocks.exclusive(ref.keyId(), () -> {
            Key key = usableKey(tenant, ref);
            BarrierStore.Batch batch = ledger.batch();
            Added added = addVersion(batch, key, material, origin, clock.instant());
            Key updated = added.key().state() == KeyState.NO_VERSION
                    ? added.key().withState(KeyState.ACTIVE, Optional.empty()) : added.key();
            ledger.put(batch, updated.withUsePeriod(added.version().number(), period));
            invalidating(tenant, key.id(), commit).accept(batch);
            return added.version();
        });
    }

    /** A key with its newly added version. */
    private record Added(Key key, KeyVersion version) {
    }

    /** Puts a new version and its material into {@code batch}; answers it and the key with its new last version. */
    private Added addVersion(BarrierStore.Batch batch, Key key, KeyMaterial material, VersionOrigin origin,
                             Instant now) {
        long number = key.lastVersion() + 1;
        Optional<String> publicKeyPem = Optional.empty();
        if (key.type().isAsymmetric()) {
            LoadedKey loaded = crypto.load(key.type(), material);
            try {
                publicKeyPem = loaded.publicKeyPem();
            } finally {
                loaded.destroy();
            }
        }
        byte[] bytes = material.copyBytes(access);
        try {
            KeyVersion version = new KeyVersion(key.id(), key.keyRingId(), number, VersionState.ACTIVE, now,
                    Optional.empty(), Optional.empty(), publicKeyPem,
                    Optional.of(digests(key.type(), bytes, publicKeyPem)), false, false, Optional.empty(),
                    Optional.of(origin));
            ledger.put(batch, key.tenant(), version);
            ledger.putMaterial(batch, key.tenant(), key.id(), number, bytes);
            return new Added(key.withLastVersion(number), version);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static VersionDigests digests(KeyType type, byte[] material, Optional<String> publicKeyPem) {
        HexFormat hex = HexFormat.of();
        return new VersionDigests(hex.formatHex(KeyDigests.ofMaterial(type, material)),
                publicKeyPem.map(pem -> hex.formatHex(KeyDigests.ofPublicKey(type, PublicKeyPem.toDer(pem)))));
    }

    private Key changeKey(TenantId tenant, KeyRef ref, Consumer<BarrierStore.Batch> commit,
                          java.util.function.UnaryOperator<Key> change) {
        return changeKey(tenant, ref, commit, change, Optional.empty());
    }

    /** A change to one version of a key, made in the write of a change to the key itself. */
    private record VersionChange(long number, UnaryOperator<KeyVersion> change) {
    }

    /**
     * A lifecycle step made in the write of a change to a key: to the key once that change is made,
     * and to one of its versions; the write then commits through {@code commit}. A step that
     * leaves the key and the version as they are writes nothing of its own.
     */
    private record Step(UnaryOperator<Key> key, Optional<VersionChange> version, Consumer<BarrierStore.Batch> commit) {
    }

    /** {@link #changeKey}, and in the same batch, once {@code change} is made, {@code alongside}'s step. */
    private Key changeKey(TenantId tenant, KeyRef ref, Consumer<BarrierStore.Batch> commit,
                          UnaryOperator<Key> change, Optional<Step> alongside) {
        return keyLocks.exclusive(ref.keyId(), () -> {
            Key edited = change.apply(key(tenant, ref));
            Key changed = alongside.map(step -> step.key().apply(edited)).orElse(edited);
            BarrierStore.Batch batch = ledger.batch();
            Optional<KeyVersion> version = alongside.flatMap(Step::version).flatMap(v ->
                    versionToStep(tenant, edited, v.number()).flatMap(current -> {
                        KeyVersion next = v.change().apply(current);
                        return next.equals(current) ? Optional.empty() : Optional.of(next);
                    }));
            version.ifPresent(v -> ledger.put(batch, tenant, v));
            ledger.put(batch, changed);
            boolean stepped = version.isPresent() || !changed.equals(edited);
            invalidating(tenant, changed.id(), stepped ? alongside.orElseThrow().commit() : commit).accept(batch);
            if (changed.state() == KeyState.DELETED) {
                cache.forgetKey(tenant, changed.id());
            }
            version.ifPresent(v -> forgetUnlessActive(tenant, v));
            return changed;
        });
    }

    private KeyVersion changeVersion(TenantId tenant, VersionRef ref, Consumer<BarrierStore.Batch> commit,
                                     UnaryOperator<KeyVersion> change) {
        return keyLocks.exclusive(ref.key().keyId(), () -> {
            KeyVersion changed = change.apply(versionToChange(tenant, ref));
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, tenant, changed);
            invalidating(tenant, changed.keyId(), commit).accept(batch);
            forgetUnlessActive(tenant, changed);
            return changed;
        });
    }

    /**
     * Version {@code ref} as it is, the key's lock held, to be changed; refused for the primary
     * version (a change names the version it changes) and for a deleted key.
     */
    private KeyVersion versionToChange(TenantId tenant, VersionRef ref) {
        if (ref.isPrimary()) {
            throw KmsError.invalid("a version number is required");
        }
        usableKey(tenant, ref.key());
        return version(tenant, ref);
    }

    /**
     * Version {@code number} of {@code key}, the key's lock held, to take a step made in an
     * attribute save; none once the version is purged (its destroy date passed), whose material
     * is gone for good. A number the key never had is refused. A key deleted since the front-end
     * judged the object's state (KMIP reads a key object of a deleted key as Destroyed) is a change
     * the attributes' compare-and-set does not see, and a soft delete that a restore would undo
     * with the step lost: the save changed meanwhile, and its retry judges the deleted key.
     */
    private Optional<KeyVersion> versionToStep(TenantId tenant, Key key, long number) {
        if (number == VersionRef.PRIMARY) {
            throw KmsError.invalid("a version number is required");
        }
        if (number > key.lastVersion()) {
            throw KmsError.notFound("version " + number + " of key " + key.id());
        }
        if (key.state() == KeyState.DELETED) {
            throw KmsError.changedMeanwhile("key " + key.id());
        }
        Instant now = clock.instant();
        return records.get(tenant, key.id()).version(number).filter(v -> !purgeDue(v, now));
    }

    /** Once the write that changed it is done: the material of a version no longer active leaves the cache. */
    private void forgetUnlessActive(TenantId tenant, KeyVersion version) {
        if (version.state() != VersionState.ACTIVE) {
            cache.forget(tenant, version.keyId(), version.number());
        }
    }

    private List<Key> liveKeys(TenantId tenant) {
        Instant now = clock.instant();
        return ledger.keys(tenant).stream()
                .filter(k -> !purgeDue(k, now))
                .sorted(Comparator.comparing(Key::createdAt))
                .toList();
    }

    /** The newest active version. */
    private Optional<KeyVersion> primary(TenantId tenant, String keyId) {
        return liveVersions(tenant, keyId).stream().filter(v -> v.state() == VersionState.ACTIVE).reduce((a, b) -> b);
    }

    private List<KeyVersion> liveVersions(TenantId tenant, String keyId) {
        Instant now = clock.instant();
        return records.get(tenant, keyId).versions().stream().filter(v -> !purgeDue(v, now)).toList();
    }

    private static boolean purgeDue(Key key, Instant now) {
        return key.deletionDate().map(date -> !now.isBefore(date)).orElse(false);
    }

    private static boolean purgeDue(KeyVersion version, Instant now) {
        return version.destroyDate().map(date -> !now.isBefore(date)).orElse(false);
    }

    private static void checkUsages(CreateKey request, KmipLegacy legacy) {
        if (request.usages().isEmpty()) {
            throw KmsError.invalid("a key needs at least one usage");
        }
        request.algorithm().ifPresent(a -> {
            if (a.keyType() != request.type()) {
                throw KmsError.invalid("algorithm " + a.wireName() + " does not fit key type " + request.type());
            }
        });
        for (KeyUsage usage : request.usages()) {
            if (!Usages.allowed(request.type()).contains(usage)) {
                throw KmsError.invalid("usage " + usage + " is not possible with a " + request.type() + " key");
            }
        }
        Usages.conflict(request.type(), request.usages(), legacy).ifPresent(conflict -> {
            throw KmsError.invalid(conflict);
        });
    }

    /** The commit function, followed by dropping the key's cached records whatever happened. */
    private Consumer<BarrierStore.Batch> invalidating(TenantId tenant, String keyId, Consumer<BarrierStore.Batch> commit) {
        return batch -> {
            try {
                commit.accept(batch);
            } finally {
                records.invalidate(tenant, keyId);
            }
        };
    }
}
