package dev.tresor.kms.key;

import dev.tresor.kms.crypto.Crypto;
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
import dev.tresor.kms.tenant.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The lifecycle of key rings, keys and versions. Each change is prepared (validated, material
 * generated, time stamped) without holding a lock, then applied under the key's lock as one batch
 * handed to {@code commit}, which adds the audit record and writes it durably.
 *
 * <p>Deleted keys and destroyed versions stay restorable until their date; from that instant
 * they are NOT_FOUND everywhere, and {@link #purgeExpired} erases them from the store.
 */
public final class KeyService {
    private static final int STRIPES = 64;

    private final KeyLedger ledger;
    private final KeyRecords records;
    private final Crypto crypto;
    private final MaterialCache cache;
    private final Clock clock;
    private final Duration deletionGrace;
    private final MaterialAccess access = MaterialAccess.obtain();
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    public KeyService(BarrierStore store, Crypto crypto, MaterialCache cache, Clock clock, Duration deletionGrace) {
        this.ledger = new KeyLedger(store);
        this.records = new KeyRecords(ledger);
        this.crypto = crypto;
        this.cache = cache;
        this.clock = clock;
        this.deletionGrace = deletionGrace;
        Arrays.setAll(locks, i -> new ReentrantLock());
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

    public void deleteKeyRing(TenantId tenant, String ringId, Consumer<BarrierStore.Batch> commit) {
        ReentrantLock lock = lockFor(ringId);
        lock.lock();
        try {
            KeyRing ring = keyRing(tenant, ringId);
            boolean hasKeys = ledger.keys(tenant).stream().anyMatch(k -> k.keyRingId().equals(ringId));
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
            ledger.delete(batch, ring);
            commit.accept(batch);
        } finally {
            lock.unlock();
        }
    }

    // --- keys ------------------------------------------------------------------------------

    /**
     * Creates a key and, unless import-only, its first version. Material is generated before any
     * lock is taken: RSA-4096 can take seconds.
     */
    public Key createKey(TenantId tenant, CreateKey request, boolean exportableByDefault,
                         Consumer<BarrierStore.Batch> commit) {
        Names.checkDisplayName(request.displayName());
        request.description().ifPresent(Names::checkDescription);
        checkUsages(request);
        Optional<KeyMaterial> material = request.importOnly() ? Optional.empty()
                : Optional.of(crypto.generate(request.type()));
        try {
            ReentrantLock lock = lockFor(request.keyRingId());
            lock.lock();
            try {
                keyRing(tenant, request.keyRingId());
                Instant now = clock.instant();
                Key key = new Key(UUID.randomUUID().toString(), tenant, request.keyRingId(), request.displayName(),
                        request.description(), request.type(), request.usages(), request.algorithm(),
                        request.protection(), request.accessScope(), request.importOnly(),
                        request.exportable().orElse(exportableByDefault),
                        material.isPresent() ? KeyState.ACTIVE : KeyState.NO_VERSION, now, Optional.empty(), 0,
                        request.attributes());
                BarrierStore.Batch batch = ledger.batch();
                if (material.isPresent()) {
                    key = addVersion(batch, key, material.get(), now);
                }
                ledger.put(batch, key);
                invalidating(tenant, key.id(), commit).accept(batch);
                return key;
            } finally {
                lock.unlock();
            }
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
            return key.withState(KeyState.DELETED, Optional.of(clock.instant().plus(deletionGrace)));
        });
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

    public Key setAttributes(TenantId tenant, KeyRef ref, Map<String, String> attributes,
                             Consumer<BarrierStore.Batch> commit) {
        return changeKey(tenant, ref, commit, key -> key.withAttributes(attributes));
    }

    // --- versions --------------------------------------------------------------------------

    public KeyVersion rotateKey(TenantId tenant, KeyRef ref, Consumer<BarrierStore.Batch> commit) {
        Key key = usableKey(tenant, ref);
        if (key.importOnly()) {
            throw KmsError.denied("key " + key.id() + " is import-only: versions can only be imported");
        }
        KeyMaterial material = crypto.generate(key.type());
        try {
            return appendVersion(tenant, ref, material, commit);
        } finally {
            material.destroy();
        }
    }

    /** Adds a version from plain material, after checking it fits the key's type. */
    public KeyVersion importMaterial(TenantId tenant, KeyRef ref, KeyMaterial material,
                                     Consumer<BarrierStore.Batch> commit) {
        Key key = usableKey(tenant, ref);
        crypto.load(key.type(), material).destroy();
        return appendVersion(tenant, ref, material, commit);
    }

    public List<KeyVersion> listVersions(TenantId tenant, KeyRef ref) {
        Key key = key(tenant, ref);
        return liveVersions(tenant, key.id());
    }

    /** A version that exists and is not past its destroy date; {@code PRIMARY} = the newest active one. */
    public KeyVersion version(TenantId tenant, VersionRef ref) {
        Key key = key(tenant, ref.key());
        if (ref.isPrimary()) {
            return liveVersions(tenant, key.id()).stream()
                    .filter(v -> v.state() == VersionState.ACTIVE)
                    .reduce((a, b) -> b)
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
            return v.withState(VersionState.ACTIVE, Optional.empty(), Optional.empty());
        });
    }

    public KeyVersion destroyVersion(TenantId tenant, VersionRef ref, Consumer<BarrierStore.Batch> commit) {
        KeyVersion destroyed = changeVersion(tenant, ref, commit, v -> {
            if (v.state() == VersionState.DESTROYED) {
                throw KmsError.precondition("version " + v.number() + " is already destroyed");
            }
            return v.withState(VersionState.DESTROYED, Optional.of(clock.instant().plus(deletionGrace)),
                    Optional.of(v.state()));
        });
        cache.forget(tenant, destroyed.keyId(), destroyed.number());
        return destroyed;
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

    /** The loaded key of a usable version: key not deleted, version active. */
    public LoadedKey usableMaterial(TenantId tenant, Key key, KeyVersion version) {
        if (key.state() == KeyState.DELETED) {
            throw KmsError.precondition("key " + key.id() + " is deleted");
        }
        if (version.state() != VersionState.ACTIVE) {
            throw KmsError.precondition("version " + version.number() + " of key " + key.id() + " is "
                    + version.state().wireName());
        }
        return cache.get(tenant, key.type(), key.id(), version.number(), storedMaterial(tenant, key, version));
    }

    /** Plain material of an exportable key's usable version (raw symmetric, PKCS#8 private). */
    public Bytes exportMaterial(TenantId tenant, VersionRef ref) {
        Key key = key(tenant, ref.key());
        if (!key.exportable()) {
            throw KmsError.denied("key " + key.id() + " is not exportable");
        }
        KeyVersion version = version(tenant, ref);
        usableMaterial(tenant, key, version);
        return Bytes.wrap(storedMaterial(tenant, key, version).get());
    }

    // --- purge -----------------------------------------------------------------------------

    /**
     * Erases every key past its deletion date and every version past its destroy date, in every
     * tenant of {@code tenants}; answers how many keys and versions were erased.
     */
    public int purgeExpired(List<TenantId> tenants, Consumer<BarrierStore.Batch> commit) {
        Instant now = clock.instant();
        int erased = 0;
        for (TenantId tenant : tenants) {
            for (Key key : ledger.keys(tenant)) {
                erased += purgeKey(tenant, key.id(), now, commit);
            }
        }
        return erased;
    }

    private int purgeKey(TenantId tenant, String keyId, Instant now, Consumer<BarrierStore.Batch> commit) {
        ReentrantLock lock = lockFor(keyId);
        lock.lock();
        try {
            Optional<Key> current = ledger.key(tenant, keyId);
            if (current.isEmpty()) {
                return 0;
            }
            Key key = current.get();
            BarrierStore.Batch batch = ledger.batch();
            int erased = 0;
            if (purgeDue(key, now)) {
                erased = 1;
                ledger.purge(batch, key);
                cache.forgetKey(tenant, keyId);
            } else {
                for (KeyVersion version : ledger.versions(tenant, keyId)) {
                    if (purgeDue(version, now)) {
                        erased++;
                        ledger.purge(batch, tenant, keyId, version.number());
                        cache.forget(tenant, keyId, version.number());
                    }
                }
            }
            if (erased > 0) {
                invalidating(tenant, keyId, commit).accept(batch);
            }
            return erased;
        } finally {
            lock.unlock();
        }
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

    private KeyVersion appendVersion(TenantId tenant, KeyRef ref, KeyMaterial material,
                                     Consumer<BarrierStore.Batch> commit) {
        ReentrantLock lock = lockFor(ref.keyId());
        lock.lock();
        try {
            Key key = usableKey(tenant, ref);
            BarrierStore.Batch batch = ledger.batch();
            Key updated = addVersion(batch, key, material, clock.instant());
            if (updated.state() == KeyState.NO_VERSION) {
                updated = updated.withState(KeyState.ACTIVE, Optional.empty());
            }
            ledger.put(batch, updated);
            invalidating(tenant, key.id(), commit).accept(batch);
            return ledger.version(tenant, key.id(), updated.lastVersion()).orElseThrow();
        } finally {
            lock.unlock();
        }
    }

    /** Puts a new version and its material into {@code batch}; answers the key with its new last version. */
    private Key addVersion(BarrierStore.Batch batch, Key key, KeyMaterial material, Instant now) {
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
        KeyVersion version = new KeyVersion(key.id(), key.keyRingId(), number, VersionState.ACTIVE, now,
                Optional.empty(), Optional.empty(), publicKeyPem);
        ledger.put(batch, key.tenant(), version);
        byte[] bytes = material.copyBytes(access);
        try {
            ledger.putMaterial(batch, key.tenant(), key.id(), number, bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        return key.withLastVersion(number);
    }

    private Key changeKey(TenantId tenant, KeyRef ref, Consumer<BarrierStore.Batch> commit,
                          java.util.function.UnaryOperator<Key> change) {
        ReentrantLock lock = lockFor(ref.keyId());
        lock.lock();
        try {
            Key changed = change.apply(key(tenant, ref));
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, changed);
            invalidating(tenant, changed.id(), commit).accept(batch);
            if (changed.state() == KeyState.DELETED) {
                cache.forgetKey(tenant, changed.id());
            }
            return changed;
        } finally {
            lock.unlock();
        }
    }

    private KeyVersion changeVersion(TenantId tenant, VersionRef ref, Consumer<BarrierStore.Batch> commit,
                                     java.util.function.UnaryOperator<KeyVersion> change) {
        if (ref.isPrimary()) {
            throw KmsError.invalid("a version number is required");
        }
        ReentrantLock lock = lockFor(ref.key().keyId());
        lock.lock();
        try {
            usableKey(tenant, ref.key());
            KeyVersion changed = change.apply(version(tenant, ref));
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, tenant, changed);
            invalidating(tenant, changed.keyId(), commit).accept(batch);
            return changed;
        } finally {
            lock.unlock();
        }
    }

    private List<Key> liveKeys(TenantId tenant) {
        Instant now = clock.instant();
        return ledger.keys(tenant).stream()
                .filter(k -> !purgeDue(k, now))
                .sorted(Comparator.comparing(Key::createdAt))
                .toList();
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

    private static void checkUsages(CreateKey request) {
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

    private ReentrantLock lockFor(String id) {
        return locks[Math.floorMod(id.hashCode(), STRIPES)];
    }
}
