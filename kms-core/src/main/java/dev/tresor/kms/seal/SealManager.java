package dev.tresor.kms.seal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.SealStatus;
import dev.tresor.kms.service.Suppression;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The seal's life cycle: UNINITIALIZED → (init) → UNSEALED ⇄ SEALED; a restart starts SEALED
 * (the dev seal unseals itself).
 *
 * <p>The barrier keyring is stored at {@code sys/seal/keyring} in the {@link Barrier} format
 * under the unseal key (as its only term, 0). The unseal key itself is never stored: the dev
 * seal keeps it in a key file, the Shamir seal splits it into shares. Each unseal adds a fresh
 * barrier term, and so does the barrier itself once a term nears its random-nonce budget; old
 * terms only ever open what they sealed. The unseal key stays in memory while unsealed, to wrap
 * those new terms, and is wiped on seal.
 */
public final class SealManager {
    private static final System.Logger LOG = System.getLogger(SealManager.class.getName());
    static final byte[] CONFIG_KEY = "sys/seal/config".getBytes(UTF_8);
    static final byte[] KEYRING_KEY = "sys/seal/keyring".getBytes(UTF_8);
    private static final int UNSEAL_KEY_TERM = 0;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Store store;
    private final SecureRandom random;
    private final long rotateAfter;
    private final BarrierStore barrierStore;
    private final List<SealListener> sealListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> openListeners = new ArrayList<>();
    private final List<Consumer<Error>> resealListeners = new ArrayList<>();
    private final List<Runnable> unsealPasses = new ArrayList<>();
    private final List<Runnable> sealingPasses = new ArrayList<>();
    private final Object lock = new Object();
    /** One run of the unseal passes at a time; never taken under {@link #lock}. */
    private final ReentrantLock passes = new ReentrantLock();
    /** Bumped (under {@link #lock}) each time passes are started; the last run started releases the callers. */
    private long passRuns;
    /** Bumped (under {@link #lock}) each time the barrier closes: a run started before is stale. */
    private volatile long closings;
    /** The run whose passes run now, if any (set while {@link #passes} is held). */
    private volatile PassRun running;
    /** While the passes an unseal started run: data calls answer SEALED ({@link BarrierStore#requireUnsealed}). */
    private boolean migrating;
    private SealConfig config;
    private final List<Shamir.Share> progress = new ArrayList<>();
    /** While unsealed: the unseal key (as a one-term keyring) and the installed barrier keyring. */
    private BarrierKeyring unsealRing;
    private BarrierKeyring keyring;

    /**
     * {@code rotator} runs the barrier's rotation, never the thread whose write crossed the mark:
     * that may be an event loop ({@code KeyManagement.admittedWithoutWaiting}), and a rotation
     * takes {@link #lock} and waits for a synced write.
     */
    private SealManager(Store store, long rotateAfter, Executor rotator) {
        this.store = store;
        this.random = new SecureRandom();
        this.rotateAfter = rotateAfter;
        this.barrierStore = new BarrierStore(store, () -> rotator.execute(this::rotateQuietly));
        this.config = readConfig(store).orElse(null);
    }

    /** A sealed (or uninitialized) Tresor over {@code store}: {@link #init} or {@link #unseal} it. */
    public static SealManager open(Store store) {
        return open(store, Barrier.DEFAULT_ROTATE_AFTER, SealManager::onItsOwnThread);
    }

    /** As {@link #open(Store)}, adding a barrier term after every {@code rotateAfter} seals. */
    static SealManager open(Store store, long rotateAfter, Executor rotator) {
        return new SealManager(store, rotateAfter, rotator);
    }

    /** A rotation is due once per term (2^30 sealed values by default): a thread of its own costs nothing. */
    private static void onItsOwnThread(Runnable rotation) {
        Thread thread = new Thread(rotation, "tresor-barrier-rotation");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The dev seal: the unseal key lives in a file in {@code dataDir} (created on first start),
     * and Tresor unseals itself at once. Anyone who can read the data directory can read every key.
     */
    public static SealManager openDev(Store store, Path dataDir) {
        SealManager manager = new SealManager(store, Barrier.DEFAULT_ROTATE_AFTER, SealManager::onItsOwnThread);
        LOG.log(System.Logger.Level.WARNING, "*** DEV SEAL: the unseal key is stored in plain in "
                + dataDir.resolve(DevKeyFile.NAME) + " next to the data it protects. NOT FOR PRODUCTION. ***");
        synchronized (manager.lock) {
            if (manager.config == null) {
                byte[] unsealKey = DevKeyFile.loadOrCreate(dataDir, manager.random);
                manager.initialize(SealConfig.dev(), unsealKey);
                Arrays.fill(unsealKey, (byte) 0);
            } else if (manager.config.type() != SealType.DEV) {
                throw KmsError.precondition("the data directory holds a Tresor with the "
                        + manager.config.type().wireName() + " seal; it cannot start with the dev seal");
            } else {
                byte[] unsealKey = DevKeyFile.load(dataDir);
                try {
                    manager.unsealWith(unsealKey);
                } catch (WrongUnsealKey e) {
                    throw KmsError.internal("the dev seal key file " + dataDir.resolve(DevKeyFile.NAME)
                            + " does not open this Tresor", null);
                } finally {
                    Arrays.fill(unsealKey, (byte) 0);
                }
            }
        }
        return manager;
    }

    /** The view the service reads and writes through; every call fails with SEALED while sealed. */
    public BarrierStore barrierStore() {
        return barrierStore;
    }

    /** The failure that stopped the store under the barrier, if a commit failed: nothing is written until a restart. */
    public Optional<KmsError> storeFailure() {
        return store.failure();
    }

    public SealStatus status() {
        synchronized (lock) {
            if (config == null) {
                return new SealStatus(false, true, "", 0, 0, false);
            }
            return new SealStatus(true, keyring == null, config.type().wireName(), config.threshold(), progress.size(),
                    migrating);
        }
    }

    /**
     * Initializes a fresh Tresor with the Shamir seal and answers the shares, each shown only
     * here. Tresor is left unsealed, so the caller can store its first credentials.
     */
    public List<String> init(int shares, int threshold) {
        if (shares < 1 || shares > Shamir.MAX_SHARES) {
            throw KmsError.invalid("shares must be 1..255, not " + shares);
        }
        if (threshold < 1 || threshold > shares) {
            throw KmsError.invalid("threshold must be 1.." + shares + " (the number of shares), not " + threshold);
        }
        if (shares > 1 && threshold < 2) {
            throw KmsError.invalid("threshold must be at least 2 when there is more than one share");
        }
        synchronized (lock) {
            if (config != null) {
                throw KmsError.precondition("Tresor is already initialized");
            }
            byte[] unsealKey = new byte[TermKey.BYTES];
            random.nextBytes(unsealKey);
            List<Shamir.Share> split = List.of();
            try {
                initialize(new SealConfig(SealType.SHAMIR, shares, threshold), unsealKey);
                split = Shamir.split(unsealKey, shares, threshold, random);
                return split.stream().map(ShareText::encode).toList();
            } finally {
                Arrays.fill(unsealKey, (byte) 0);
                split.forEach(Shamir.Share::wipe);
            }
        }
    }

    /**
     * Adds one share; once {@code threshold} distinct shares are in, reconstructs the unseal key
     * and unseals. A share set that does not open the keyring is refused, stores nothing, and
     * resets the progress.
     */
    public SealStatus unseal(String shareText) {
        PassRun run;
        Throwable undone = null;
        try {
            synchronized (lock) {
                if (!enoughShares(shareText)) {
                    return status();
                }
                byte[] unsealKey = Shamir.combine(progress);
                clearProgress();
                barrierStore.holdCallers(true);
                try {
                    unsealWith(unsealKey);
                } catch (WrongUnsealKey e) {
                    throw KmsError.invalid("these unseal shares do not open this Tresor; unseal progress was reset");
                } finally {
                    Arrays.fill(unsealKey, (byte) 0);
                    if (keyring == null) {
                        barrierStore.holdCallers(false);
                    }
                }
                // under the lock, so no seal or other unseal comes between the opening and its record
                try {
                    openListeners.forEach(Runnable::run);
                } catch (RuntimeException | Error e) {
                    LOG.log(System.Logger.Level.ERROR, "the unseal is undone: an open listener failed; Tresor is sealed again");
                    closeBarrier();
                    undone = e;
                    throw e;
                }
                run = startPasses(unsealPasses);
            }
        } finally {
            if (undone != null) {
                tellSealListeners(undone);
            }
        }
        runPasses(run);
        return status();
    }

    /** Under {@link #lock}: takes the share; answers whether the threshold is reached (false if already unsealed). */
    private boolean enoughShares(String shareText) {
        if (config == null) {
            throw KmsError.precondition("Tresor is not initialized");
        }
        if (config.type() != SealType.SHAMIR) {
            throw KmsError.precondition("the " + config.type().wireName() + " seal does not take unseal shares");
        }
        if (keyring != null) {
            return false;
        }
        Shamir.Share share = ShareText.decode(shareText, TermKey.BYTES);
        if (progress.stream().anyMatch(given -> given.index() == share.index())) {
            share.wipe();
            throw KmsError.invalid("share " + share.index() + " was already provided");
        }
        progress.add(share);
        return progress.size() >= config.threshold();
    }

    /**
     * For a pass, before each step and as each of its writes is sealed ({@link
     * BarrierStore.Batch#guardedBy}, where the barrier cannot close meanwhile): SEALED if the
     * barrier closed since its run started, even when a later unseal has opened it again (that
     * unseal runs the passes again once this run ends), so a stopped pass seals nothing after the
     * seal that stopped it (a batch sealed just before may be committed after it).
     */
    public void requireCurrentPass() {
        PassRun run = running;
        if (run != null && run.closings() != closings) {
            throw BarrierStore.sealedError();
        }
    }

    /**
     * Runs the passes registered with {@link #beforeSeal}, wipes the barrier keys from memory and
     * drops unseal progress; then tells the listeners.
     */
    public void seal() {
        sealRecorded(() -> { });
    }

    /**
     * As {@link #seal()}, running {@code record} first if Tresor is unsealed (not for a seal of a
     * sealed Tresor), under the seal's lock, so no unseal comes between the record and the seal;
     * e.g. to audit it. If {@code record} fails, Tresor seals all the same (the safe direction) and
     * the seal then throws the record's failure, with the listeners' failures added to it; a pass's
     * {@link Error} is thrown instead, with the record's failure added to it. Otherwise, of the
     * passes and the listeners, the first failure is thrown, with the later ones added to it.
     */
    public void sealRecorded(Runnable record) {
        Throwable failed;
        synchronized (lock) {
            clearProgress();
            if (keyring == null) {
                return;
            }
            failed = failureOf(record);
            try {
                sealingPasses.forEach(pass -> runPass(pass, "a pass run before sealing"));
            } catch (Error e) {
                failed = failed == null ? e : Suppression.add(e, failed);
            }
            closeBarrier();
        }
        if (failed == null) {
            failed = tellSealListeners().orElse(null);
        } else {
            tellSealListeners(failed);
        }
        if (failed instanceof Error error) {
            throw error;
        }
        if (failed instanceof RuntimeException runtime) {
            throw runtime;
        }
    }

    /** Runs {@code record}; answers what it failed with, if it did. */
    private static Throwable failureOf(Runnable record) {
        try {
            record.run();
            return null;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    /** Under {@link #lock}, unsealed: wipes the barrier keys and lets the callers through to SEALED. */
    private void closeBarrier() {
        closings++;
        barrierStore.replaceBarrier(null);
        keyring = null;
        unsealRing.destroy();
        unsealRing = null;
        migrating = false;
        barrierStore.holdCallers(false);
    }

    private void clearProgress() {
        progress.forEach(Shamir.Share::wipe);
        progress.clear();
    }

    /**
     * Runs {@code pass} now if unsealed, and inside every later unseal by shares once the barrier
     * is open, before the unseal answers. Passes run outside the seal's lock, one run at a time:
     * meanwhile data calls answer SEALED ({@link BarrierStore#requireUnsealed}) and
     * the status says {@code migrating}, while {@link #status}, a second unseal (which runs none) and
     * {@link #seal} answer at once; a seal stops the passes: their next read fails SEALED while the
     * barrier is closed, and {@link #requireCurrentPass} (before each step, and on each guarded
     * write) fails even once another unseal reopened it; an unseal after it runs its own passes
     * once they ended.
     * A pass's failure is logged; it does not undo the unseal. An {@link Error} does: the barrier
     * closes again (sealed, data calls never served without the passes; {@link #onReseal}) and the
     * Error is thrown on; the next unseal runs the passes again. Only the last run started does
     * that, or releases the data calls: a registration while unsealed runs only its own pass, so
     * one made while an unseal's run is pending may release the data calls without that run's
     * passes if they fail (the server registers its passes before it unseals).
     */
    public void onUnseal(Runnable pass) {
        PassRun run;
        synchronized (lock) {
            unsealPasses.add(pass);
            if (keyring == null) {
                return;
            }
            run = startPasses(List.of(pass));
        }
        runPasses(run);
    }

    /**
     * Passes to run, and which start they are: only the last one started may release the callers,
     * or close the barrier again when it failed.
     */
    private record PassRun(List<Runnable> passes, long number, long closings) {
        PassRun {
            passes = List.copyOf(passes);
        }
    }

    /** Under {@link #lock}, the barrier open: holds data calls until the passes end. */
    private PassRun startPasses(List<Runnable> toRun) {
        barrierStore.holdCallers(true);
        migrating = true;
        return new PassRun(toRun, ++passRuns, closings);
    }

    /** A pass's Error closes the barrier again before it is thrown on: data calls are released only once every pass ran. */
    private void runPasses(PassRun run) {
        Error failed = null;
        passes.lock();
        running = run;
        try {
            run.passes().forEach(pass -> runPass(pass, "a pass run at unseal"));
        } catch (Error e) {
            failed = e;
            throw e;
        } finally {
            running = null;
            passes.unlock();
            endRun(run, failed);
        }
    }

    private void endRun(PassRun run, Error failed) {
        boolean closedHere = false;
        try {
            synchronized (lock) {
                if (run.number() != passRuns || keyring == null) {
                    return;
                }
                if (failed == null) {
                    migrating = false;
                    barrierStore.holdCallers(false);
                    return;
                }
                try {
                    LOG.log(System.Logger.Level.ERROR, "the unseal is undone: a pass failed; "
                            + "Tresor is sealed again, and the next unseal runs the passes again");
                    resealListeners.forEach(listener -> tellResealListener(listener, failed));
                } finally {
                    closeBarrier();
                    closedHere = true;
                }
            }
        } finally {
            // even if telling the reseal listeners failed in a way no catch survives (out of memory)
            if (closedHere) {
                tellSealListeners(failed);
            }
        }
    }

    /**
     * Best effort: the barrier closes again whether or not the listener (an audit record) could do
     * its part. Its failure, even an Error (an out-of-memory is the likely reason for the reseal),
     * is added to {@code failed}, so the seal listeners still run and the pass's Error is thrown.
     */
    private static void tellResealListener(Consumer<Error> listener, Error failed) {
        try {
            listener.accept(failed);
        } catch (RuntimeException | Error e) {
            Suppression.add(failed, e);
            LOG.log(System.Logger.Level.ERROR, "a listener of the seal that undoes a failed unseal failed", e);
        }
    }

    /**
     * After the barrier closed: every listener runs (one of them wipes the cached key material),
     * and a listener's failure is added to {@code cause}, not thrown instead.
     */
    private void tellSealListeners(Throwable cause) {
        tellSealListeners().ifPresent(failed -> Suppression.add(cause, failed));
    }

    /**
     * Runs every seal listener even if one fails, and logs each failure (it may end up suppressed
     * by a failure the caller throws); the first failure, with the later ones added to it.
     */
    private Optional<Throwable> tellSealListeners() {
        Throwable first = null;
        for (SealListener listener : sealListeners) {
            try {
                listener.action().run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "a seal listener, " + listener.what()
                        + ", failed; Tresor is sealed all the same", e);
                first = first == null ? e : Suppression.add(first, e);
            }
        }
        return Optional.ofNullable(first);
    }

    /**
     * Runs {@code listener} inside every unseal by shares as the barrier opens, under the seal's
     * lock (no seal or other unseal comes between) and ahead of the passes ({@link #onUnseal}),
     * e.g. to audit the unseal before their writes. Unlike a pass's, its failure undoes the
     * unseal: the barrier closes again and the unseal call fails with it.
     */
    public void onOpen(Runnable listener) {
        synchronized (lock) {
            openListeners.add(listener);
        }
    }

    /**
     * Runs {@code pass} at every seal (and so at close) under the seal's lock while the barrier is
     * still open, before it closes; a pass's failure is logged and does not stop the seal.
     */
    public void beforeSeal(Runnable pass) {
        synchronized (lock) {
            sealingPasses.add(pass);
        }
    }

    /** A failure is logged; an Error is logged and thrown on (at unseal, it closes the barrier again). */
    private void runPass(Runnable pass, String what) {
        try {
            pass.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, what + " failed", e);
        } catch (Error e) {
            LOG.log(System.Logger.Level.ERROR, what + " failed; the error is thrown on", e);
            throw e;
        }
    }

    /**
     * Runs {@code listener} when a pass's {@link Error} closes the barrier again after an unseal
     * ({@link #onUnseal}), under the seal's lock while the barrier is still open, e.g. to audit
     * that seal; its failure is logged and the barrier closes all the same.
     */
    public void onReseal(Consumer<Error> listener) {
        synchronized (lock) {
            resealListeners.add(listener);
        }
    }

    /**
     * Runs {@code listener} after every seal, e.g. to drop cached key material; {@code what} names
     * it in the log if it fails.
     */
    public void onSeal(String what, Runnable listener) {
        sealListeners.add(new SealListener(what, listener));
    }

    private record SealListener(String what, Runnable action) {
    }

    /** Adds a fresh barrier term for new values; values sealed under older terms still open. */
    public void rotate() {
        synchronized (lock) {
            if (keyring == null) {
                throw BarrierStore.sealedError();
            }
            addTerm(keyring);
        }
    }

    /**
     * The barrier's own call when a term nears its nonce budget. A failure is logged, not thrown:
     * the write that crossed the mark succeeded, and the hard limit in {@link Barrier} still holds.
     */
    private void rotateQuietly() {
        synchronized (lock) {
            if (keyring == null) {
                return;
            }
            try {
                addTerm(keyring);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "adding a barrier term failed", e);
            }
        }
    }

    private void initialize(SealConfig newConfig, byte[] unsealKey) {
        byte[] configJson;
        try {
            configJson = JSON.writeValueAsBytes(newConfig);
        } catch (JsonProcessingException e) {
            throw KmsError.internal("cannot encode the seal configuration", e);
        }
        BarrierKeyring candidateUnsealRing = BarrierKeyring.ofSingleKey(UNSEAL_KEY_TERM, unsealKey);
        BarrierKeyring first = BarrierKeyring.generate(random);
        try {
            store.write(new WriteBatch().put(CONFIG_KEY, configJson).put(KEYRING_KEY, wrap(first, candidateUnsealRing)));
        } catch (RuntimeException e) {
            candidateUnsealRing.destroy();
            first.destroy();
            throw e;
        }
        config = newConfig;
        unsealRing = candidateUnsealRing;
        install(first);
    }

    /** Opens the stored keyring with {@code unsealKey}, then installs it with a fresh term added. */
    private void unsealWith(byte[] unsealKey) throws WrongUnsealKey {
        byte[] wrapped = store.get(KEYRING_KEY)
                .orElseThrow(() -> KmsError.internal("the barrier keyring is missing from storage", null));
        BarrierKeyring candidateUnsealRing = BarrierKeyring.ofSingleKey(UNSEAL_KEY_TERM, unsealKey);
        byte[] encoded;
        try {
            encoded = new Barrier(candidateUnsealRing, random).open(KEYRING_KEY, wrapped);
        } catch (KmsError e) {
            candidateUnsealRing.destroy();
            throw new WrongUnsealKey();
        }
        BarrierKeyring stored = BarrierKeyring.decode(encoded);
        Arrays.fill(encoded, (byte) 0);
        unsealRing = candidateUnsealRing;
        try {
            addTerm(stored);
        } catch (RuntimeException e) {
            unsealRing.destroy();
            unsealRing = null;
            throw e;
        } finally {
            stored.destroy();
        }
    }

    /** Stores {@code base} plus a fresh term, then seals new values under that term. */
    private void addTerm(BarrierKeyring base) {
        BarrierKeyring next = base.withNewTerm(random);
        try {
            store.write(new WriteBatch().put(KEYRING_KEY, wrap(next, unsealRing)));
        } catch (RuntimeException e) {
            next.destroy();
            throw e;
        }
        install(next);
    }

    private void install(BarrierKeyring newKeyring) {
        keyring = newKeyring;
        barrierStore.replaceBarrier(new Barrier(newKeyring, random, rotateAfter));
    }

    private byte[] wrap(BarrierKeyring ring, BarrierKeyring wrappingRing) {
        byte[] encoded = ring.encode();
        try {
            return new Barrier(wrappingRing, random).seal(KEYRING_KEY, encoded);
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
    }

    private static Optional<SealConfig> readConfig(Store store) {
        return store.get(CONFIG_KEY).map(json -> {
            try {
                return JSON.readValue(json, SealConfig.class);
            } catch (IOException e) {
                throw KmsError.internal("the stored seal configuration is malformed", e);
            }
        });
    }

    /** The unseal key does not open the stored keyring. */
    private static final class WrongUnsealKey extends Exception {
        private static final long serialVersionUID = 1L;

        WrongUnsealKey() {
            super(null, null, false, false);
        }
    }
}
