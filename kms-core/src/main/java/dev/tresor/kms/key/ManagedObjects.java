package dev.tresor.kms.key;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/** Secret data, opaque objects, certificates and lone public keys: register, read, delete (soft), purge. */
public final class ManagedObjects {
    /** The largest value one object holds. */
    public static final int MAX_VALUE = 65_536;

    private final KeyLedger ledger;
    private final Clock clock;
    private final Duration deletionGrace;
    private final Stripes locks = new Stripes();

    public ManagedObjects(BarrierStore store, Clock clock, Duration deletionGrace) {
        this.ledger = new KeyLedger(store);
        this.clock = clock;
        this.deletionGrace = deletionGrace;
    }

    /**
     * {@code publicKey}, only for a public key, is its key as the core reads it, kept beside the
     * value; without it the object is stored but encrypts and verifies nothing.
     */
    public ManagedObject register(TenantId tenant, ManagedObject.Type type, Bytes value, Optional<ObjectPublicKey> publicKey,
                                  boolean exportable, boolean sensitive, Map<String, String> attributes,
                                  Consumer<BarrierStore.Batch> commit) {
        Attributes.check(attributes);
        if (value.isEmpty() || value.length() > MAX_VALUE) {
            throw KmsError.invalid("object value must be 1 to " + MAX_VALUE + " bytes, not " + value.length());
        }
        if (publicKey.isPresent() && type != ManagedObject.Type.PUBLIC_KEY) {
            throw KmsError.invalid("only a public key object holds a public key, not a " + type);
        }
        publicKey.ifPresent(ManagedObjects::checkSize);
        ManagedObject object = new ManagedObject(UUID.randomUUID().toString(), tenant, type, exportable,
                clock.instant(), Optional.empty(), attributes, sensitive);
        BarrierStore.Batch batch = ledger.batch();
        ledger.put(batch, object, value.toArray());
        publicKey.ifPresent(key -> ledger.putPublicKey(batch, object, key));
        commit.accept(batch);
        return object;
    }

    /**
     * The key of a public key object that is not deleted, as it was registered or adopted; without
     * one, KEY_FORMAT_NOT_USABLE.
     */
    ObjectPublicKey publicKey(TenantId tenant, String id) {
        livePublicKey(tenant, id);
        return ledger.objectPublicKey(tenant, id).orElseThrow(() -> noKeyTresorReads(id));
    }

    /**
     * Keeps the key of a public key object that has none beside its value (registered before the
     * core kept keys): {@code read} takes it from the object's stored value, the front-end's own form,
     * as the front-end does at register. Set once: a key the object holds is never replaced, and
     * {@code read} is not asked then. KEY_FORMAT_NOT_USABLE if the value holds no key the core reads.
     */
    public void adoptPublicKey(TenantId tenant, String id, Function<Bytes, Optional<ObjectPublicKey>> read,
                               Consumer<BarrierStore.Batch> commit) {
        locks.exclusive(id, () -> {
            ManagedObject object = livePublicKey(tenant, id);
            if (ledger.objectPublicKey(tenant, id).isPresent()) {
                return null;
            }
            Bytes value = Bytes.wrap(ledger.objectValue(tenant, id)
                    .orElseThrow(() -> KmsError.internal("value of object " + id + " is missing", null)));
            try {
                ObjectPublicKey key = read.apply(value).orElseThrow(() -> noKeyTresorReads(id));
                checkSize(key);
                BarrierStore.Batch batch = ledger.batch();
                ledger.putPublicKey(batch, object, key);
                commit.accept(batch);
                return null;
            } finally {
                value.zero();
            }
        });
    }

    private ManagedObject livePublicKey(TenantId tenant, String id) {
        ManagedObject object = get(tenant, id);
        if (object.type() != ManagedObject.Type.PUBLIC_KEY) {
            throw KmsError.invalid("object " + id + " is not a public key");
        }
        if (object.deleted()) {
            throw KmsError.precondition("object " + id + " is deleted");
        }
        return object;
    }

    private static KmsError noKeyTresorReads(String id) {
        return KmsError.keyFormatNotUsable("object " + id + " holds no public key Tresor reads: only one registered"
                + " as X.509 or PKCS#1 encrypts and verifies");
    }

    private static void checkSize(ObjectPublicKey key) {
        if (key.der().isEmpty() || key.der().length() > MAX_VALUE) {
            throw KmsError.invalid("a public key must be 1 to " + MAX_VALUE + " bytes");
        }
    }

    /** An object that exists and is not past its deletion date. */
    public ManagedObject get(TenantId tenant, String id) {
        Instant now = clock.instant();
        return ledger.object(tenant, id)
                .filter(o -> !purgeDue(o, now))
                .orElseThrow(() -> KmsError.notFound("object " + id));
    }

    public List<ManagedObject> list(TenantId tenant) {
        Instant now = clock.instant();
        return ledger.objects(tenant).stream()
                .filter(o -> !purgeDue(o, now))
                .sorted(Comparator.comparing(ManagedObject::createdAt))
                .toList();
    }

    /**
     * The value, unless deleted: never for a sensitive object; always for other certificates and
     * public keys; for secret values only if exportable.
     */
    public Bytes value(TenantId tenant, String id) {
        ManagedObject object = get(tenant, id);
        if (object.deleted()) {
            throw KmsError.precondition("object " + id + " is deleted");
        }
        if (object.sensitive()) {
            throw KmsError.denied("object " + id + " is sensitive: its value never leaves");
        }
        if (!object.leaves()) {
            throw KmsError.denied("object " + id + " is not exportable");
        }
        return Bytes.wrap(ledger.objectValue(tenant, id)
                .orElseThrow(() -> KmsError.internal("value of object " + id + " is missing", null)));
    }

    /**
     * Replaces the object's attributes only if they still are {@code expected}: a front-end's
     * read-modify-write of them (KMIP) never writes over a change made since it read them, by
     * another call or an undo (FAILED_PRECONDITION then).
     */
    public ManagedObject replaceAttributes(TenantId tenant, String id, Map<String, String> expected,
                                           Map<String, String> attributes, Consumer<BarrierStore.Batch> commit) {
        Attributes.check(attributes);
        return locks.exclusive(id, () -> {
            ManagedObject current = get(tenant, id);
            if (!current.attributes().equals(expected)) {
                throw KmsError.changedMeanwhile("object " + id);
            }
            ManagedObject changed = current.withAttributes(attributes);
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, changed, null);
            commit.accept(batch);
            return changed;
        });
    }

    /**
     * Runs {@code undo} (the check and atomic write of an undo) holding the locks of every object
     * whose records are among {@code paths}, taken in one order: an edit or delete of one of them
     * either lands before the undo's check, which then sees it, or after its write, whose change it
     * then sees. These locks are taken before any key's ({@link KeyService#undoing} inside), and no
     * path holds an object's lock while it takes a key's. PERMISSION_DENIED, before any lock, for a
     * path that is not one of the tenant's records.
     */
    public void undoing(TenantId tenant, Set<String> paths, Runnable undo) {
        Set<String> objectIds = new TreeSet<>();
        for (String path : paths) {
            KeyLedger.Located record = KeyLedger.locateUndone(tenant, path);
            if (KeyLedger.OBJECT_RECORDS.contains(record.kind())) {
                objectIds.add(record.id());
            }
        }
        locks.exclusiveAll(objectIds, () -> {
            undo.run();
            return null;
        });
    }

    /** Soft delete: the object is unusable at once and erased 30 days later. */
    public ManagedObject delete(TenantId tenant, String id, Consumer<BarrierStore.Batch> commit) {
        return locks.exclusive(id, () -> {
            ManagedObject current = get(tenant, id);
            if (current.deleted()) {
                throw KmsError.precondition("object " + id + " is already deleted");
            }
            ManagedObject deleted = current.withDeletionDate(Optional.of(clock.instant().plus(deletionGrace)));
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, deleted, null);
            commit.accept(batch);
            return deleted;
        });
    }

    /** Erases every object past its deletion date, each in its own commit, until {@code stopRequested}; answers how many. */
    public int purgeExpired(List<TenantId> tenants, KeyService.PurgeCommit commit, BooleanSupplier stopRequested) {
        Instant now = clock.instant();
        int erased = 0;
        for (TenantId tenant : tenants) {
            for (ManagedObject object : ledger.objects(tenant)) {
                if (stopRequested.getAsBoolean()) {
                    return erased;
                }
                if (purgeDue(object, now)) {
                    locks.exclusive(object.id(), () -> {
                        BarrierStore.Batch batch = ledger.batch();
                        ledger.purge(batch, object);
                        commit.forItem(tenant, "objects/" + object.id()).accept(batch);
                        return null;
                    });
                    erased++;
                }
            }
        }
        return erased;
    }

    private static boolean purgeDue(ManagedObject object, Instant now) {
        return object.deletionDate().map(date -> !now.isBefore(date)).orElse(false);
    }
}
