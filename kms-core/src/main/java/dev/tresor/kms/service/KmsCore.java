package dev.tresor.kms.service;

import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyCryptography;
import dev.tresor.kms.key.KeyService;
import dev.tresor.kms.key.ManagedObjects;
import dev.tresor.kms.key.MaterialCache;
import dev.tresor.kms.key.StoredPeriods;
import dev.tresor.kms.key.WrappingKeys;
import dev.tresor.kms.limit.RateLimits;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import dev.tresor.kms.tenant.ApiTokens;
import dev.tresor.kms.tenant.ClientCertificates;
import dev.tresor.kms.tenant.Projects;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The composed core: store, seal, crypto, keys, tenants, limits and audit, behind the two service
 * APIs the front-ends use. Opening it opens the store; closing it stops the purger and waits for its
 * run (a compaction running is cancelled), seals and closes the store cleanly, even when the seal
 * fails (its failure is thrown once the store is closed).
 */
public final class KmsCore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KmsCore.class.getName());
    /**
     * A raw store key (outside the barrier's {@code data/}, not secret), present from the start of a
     * purger run until its compaction is done: a run that failed, was cancelled or crashed leaves it.
     */
    static final byte[] COMPACTION_OWED = "sys/purge/compaction-owed".getBytes(StandardCharsets.UTF_8);
    /** How long closing waits for a purger run to end (it stops after the item it erases, its compaction is cancelled). */
    private static final Duration PURGER_STOP_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How to open the core. {@code dataDir} empty = an in-memory store (unit tests only).
     * {@code devSeal}: unseal key in a file in the data dir, unsealed at once; otherwise Shamir,
     * starting sealed (or uninitialised).
     */
    public record Options(Optional<Path> dataDir, boolean devSeal, Clock clock, Duration deletionGrace,
                          Duration wrappingKeyLifetime, int materialCacheCapacity, Optional<Duration> purgeInterval,
                          AttestationOptions attestation) {
        public Options {
            Objects.requireNonNull(dataDir);
            Objects.requireNonNull(attestation);
            Objects.requireNonNull(clock);
            Objects.requireNonNull(deletionGrace);
            Objects.requireNonNull(wrappingKeyLifetime);
            Objects.requireNonNull(purgeInterval);
            if (devSeal && dataDir.isEmpty()) {
                throw new IllegalArgumentException("the dev seal keeps its key file in the data dir");
            }
        }

        /** Without simulation and with the built-in attestation trust. */
        public Options(Optional<Path> dataDir, boolean devSeal, Clock clock, Duration deletionGrace,
                       Duration wrappingKeyLifetime, int materialCacheCapacity, Optional<Duration> purgeInterval) {
            this(dataDir, devSeal, clock, deletionGrace, wrappingKeyLifetime, materialCacheCapacity, purgeInterval,
                    AttestationOptions.production());
        }

        /** Production defaults on RocksDB in {@code dataDir}: 30-day windows, 24-hour wrapping keys, hourly purge. */
        public static Options defaults(Path dataDir, boolean devSeal) {
            return new Options(Optional.of(dataDir), devSeal, Clock.systemUTC(), Duration.ofDays(30),
                    Duration.ofHours(24), 100_000, Optional.of(Duration.ofHours(1)));
        }

        public Options withClock(Clock newClock) {
            return new Options(dataDir, devSeal, newClock, deletionGrace, wrappingKeyLifetime, materialCacheCapacity,
                    purgeInterval, attestation);
        }

        public Options withoutPurger() {
            return new Options(dataDir, devSeal, clock, deletionGrace, wrappingKeyLifetime, materialCacheCapacity,
                    Optional.empty(), attestation);
        }

        public Options withAttestation(AttestationOptions newAttestation) {
            return new Options(dataDir, devSeal, clock, deletionGrace, wrappingKeyLifetime, materialCacheCapacity,
                    purgeInterval, newAttestation);
        }
    }

    private final Store store;
    private final SealManager seal;
    private final KeyManagement keyManagement;
    private final Administration administration;
    private final UsePeriodBackfill usePeriodBackfill;
    private final AtomicBoolean usePeriodPassRegistered = new AtomicBoolean();
    private final ScheduledExecutorService purger;
    /** Set by {@link #close}: a purger run stops between two erased items. */
    private volatile boolean closing;

    private KmsCore(Options options, Store store) {
        this.store = store;
        try {
            this.seal = options.devSeal() ? SealManager.openDev(store, options.dataDir().orElseThrow())
                    : SealManager.open(store);
            Crypto crypto = new Crypto();
            Clock clock = options.clock();
            BarrierStore barrier = seal.barrierStore();
            MaterialCache cache = new MaterialCache(crypto, options.materialCacheCapacity());
            seal.onSeal("the wipe of the cached key material", cache::clear);
            AuditLog audit = new AuditLog(barrier);
            KeyService keys = new KeyService(barrier, crypto, cache, clock, options.deletionGrace());
            Projects projects = new Projects(barrier, clock);
            this.keyManagement = new KeyManagement(barrier, keys, new KeyCryptography(keys, crypto),
                    new WrappingKeys(barrier, keys, crypto, clock, options.wrappingKeyLifetime()),
                    new ManagedObjects(barrier, clock, options.deletionGrace()), projects,
                    new RateLimits(), audit, crypto, clock,
                    new AttestationGate(options.attestation(), audit, clock, crypto.random()));
            this.administration = new Administration(projects, new ApiTokens(barrier, crypto.random(), clock),
                    new ClientCertificates(barrier, clock), seal, audit, clock);
            this.usePeriodBackfill = new UsePeriodBackfill(barrier, keys, projects, audit, clock, seal::storeFailure,
                    seal::requireCurrentPass);
            seal.beforeSeal(usePeriodBackfill::noteChainEnds);
            // its thread is started here, which may fail too (an OutOfMemoryError: no native thread)
            this.purger = options.purgeInterval().map(this::startPurger).orElse(null);
        } catch (RuntimeException | Error openFailed) {
            // an Error too (a read running out of heap): the store left open would keep RocksDB's
            // lock on the data directory, and every later open of it in this JVM would fail
            closeStoreAfter(openFailed);
            throw openFailed;
        }
    }

    public static KmsCore open(Options options) {
        return open(options, options.dataDir().<Store>map(dir -> RocksDbStore.open(storeDirectory(dir)))
                .orElseGet(MemoryStore::new));
    }

    /**
     * The core over a store the caller opened in {@link #storeDirectory} (tests use one made to
     * fail); the core owns it from here and closes it, also when this opening fails (with the
     * opening's failure thrown, a failed close added to it). {@code options.dataDir()} still holds
     * the dev seal's key file.
     */
    public static KmsCore open(Options options, Store store) {
        return new KmsCore(options, store);
    }

    /** Where RocksDB keeps its files inside the data directory (beside the dev seal's key file). */
    public static Path storeDirectory(Path dataDir) {
        return dataDir.resolve("store");
    }

    public KeyManagement keyManagement() {
        return keyManagement;
    }

    public Administration administration() {
        return administration;
    }

    /**
     * Gives key versions stored before the core kept use periods the period {@code stored} reads
     * from a key's record (a front-end's own attributes; each version that has a period keeps it,
     * unless the front-end keeps none for the key):
     * now if unsealed, and inside every later unseal, before any data call is served
     * ({@link SealManager#onUnseal}); each pass goes over the keys only of the tenants a write
     * not noted by this build touched since, and over those that failed ({@link UsePeriodBackfill}).
     * {@code rule} names what {@code stored} answers: change it whenever {@code stored} would answer
     * otherwise for a stored key, and the next pass goes over every key again. Call it once, before
     * the front-ends open; a second call is refused (the pass stores what it saw for one reader).
     */
    public void backfillUsePeriods(String rule, Function<Key, StoredPeriods> stored) {
        if (rule == null || rule.isBlank()) {
            throw KmsError.invalid("the use-period pass needs the name of its reader's rule");
        }
        if (!usePeriodPassRegistered.compareAndSet(false, true)) {
            throw KmsError.precondition("the use-period pass is already registered; it has one reader");
        }
        seal.onUnseal(() -> usePeriodBackfill.run(rule, stored));
    }

    /** True when the store writes and the barrier is unsealed: the core can serve data calls. */
    public boolean ready() {
        return administration.readiness() == Readiness.READY;
    }

    /**
     * Reads every barrier-protected value and checks it opens under its own storage key; answers
     * how many were checked, or fails with INTERNAL naming the first value that does not.
     */
    public long verifyStoreIntegrity() {
        BarrierStore barrier = seal.barrierStore();
        long checked = 0;
        for (String prefix : List.of("t/", "sys/project/", "sys/token/", "sys/cert/", "sys/pass/", "audit/")) {
            checked += barrier.scan(prefix).size();
        }
        return checked;
    }

    /**
     * What the purger runs every interval: erases the keys, versions and objects past their 30-day
     * window, then, if it erased any, compacts the store so that their values leave every file of the
     * data directory (the stale copies in older storage files and in log files kept for reuse).
     * A run that failed, was cancelled or crashed may have erased values without compacting: it leaves
     * {@link #COMPACTION_OWED} on disk, and the next run, in this process or after a restart,
     * compacts even if it erases nothing. A run that {@link #close} meets stops between two erased
     * items and leaves its compaction owed. Answers how many it erased. One run at a time: a run
     * overlapping another could delete the marker the other's erasures still need.
     */
    public synchronized int purge() {
        boolean owed = store.get(COMPACTION_OWED).isPresent();
        if (!owed) {
            store.write(new WriteBatch().put(COMPACTION_OWED, new byte[0]));
        }
        int erased = keyManagement.purgeExpired(() -> closing);
        if (closing) {
            return erased;
        }
        if (erased > 0 || owed) {
            store.compact();
        }
        store.write(new WriteBatch().delete(COMPACTION_OWED));
        return erased;
    }

    private ScheduledExecutorService startPurger(Duration interval) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tresor-purger");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::purgeQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return executor;
    }

    /**
     * Lets a running purge end before the seal, so its barrier writes do not race it. It stops after
     * the item it is erasing; its compaction is cancelled and stays owed.
     */
    private void stopPurger() {
        purger.shutdownNow();
        store.stopCompactions();
        try {
            if (!purger.awaitTermination(PURGER_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("the purger's run did not end within " + PURGER_STOP_TIMEOUT + "; sealing all the same");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void purgeQuietly() {
        if (!ready()) {
            return;
        }
        try {
            int erased = purge();
            if (erased > 0) {
                LOG.info("purged " + erased + " keys and versions past their 30-day window");
            }
        } catch (RuntimeException e) {
            if (closing) {
                LOG.info("the purge was stopped by closing: its compaction stays owed (" + e.getMessage() + ")");
            } else {
                LOG.log(Level.WARNING, "purge failed; it runs again later", e);
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        if (purger != null) {
            stopPurger();
        }
        try {
            seal.seal();
        } catch (RuntimeException | Error sealFailed) {
            closeStoreAfter(sealFailed);
            throw sealFailed;
        }
        store.close();
    }

    /** Closes the store after {@code failure}, which the caller throws: a failure of the close is added to it. */
    private void closeStoreAfter(Throwable failure) {
        try {
            store.close();
        } catch (RuntimeException | Error closeFailed) {
            Suppression.add(failure, closeFailed);
        }
    }
}
