package dev.tresor.kms.seal;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import dev.tresor.kms.service.Readiness;
import dev.tresor.kms.store.Entry;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The store as the service sees it: string keys, plaintext values, every value sealed by the
 * {@link Barrier} on the way down and opened on the way up. While Tresor is sealed every call
 * fails with {@code SEALED}.
 *
 * <p>Barrier values live under the raw key {@code data/<key>}, apart from the seal's own
 * records under {@code sys/seal/}, so no barrier write can touch those.
 */
public final class BarrierStore {
    static final String DATA_PREFIX = "data/";

    private final Store store;
    /** Held shared while a barrier key is in use; sealing takes it exclusively before wiping keys. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private Barrier barrier;
    /** Adds a barrier term; runs when the current term's nonce budget calls for one. */
    private final Runnable rotation;
    private volatile boolean unsealing;

    BarrierStore(Store store, Runnable rotation) {
        this.store = Objects.requireNonNull(store);
        this.rotation = Objects.requireNonNull(rotation);
    }

    public Optional<byte[]> get(String key) {
        NonBlocking.check("a storage read");
        byte[] storageKey = storageKey(key);
        requireBarrier();
        Optional<byte[]> stored = store.get(storageKey);
        return stored.map(value -> withBarrier(b -> b.open(storageKey, value)));
    }

    /** Every key starting with {@code prefix} and its plaintext, in ascending key order. */
    public List<Map.Entry<String, byte[]>> scan(String prefix) {
        NonBlocking.check("a storage read");
        requireBarrier();
        List<Entry> entries = store.scan(rawKey(prefix));
        return withBarrier(b -> {
            List<Map.Entry<String, byte[]>> opened = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                opened.add(open(b, e));
            }
            return opened;
        });
    }

    /** The entry with the greatest key starting with {@code prefix}. */
    public Optional<Map.Entry<String, byte[]>> last(String prefix) {
        NonBlocking.check("a storage read");
        requireBarrier();
        Optional<Entry> entry = store.last(rawKey(prefix));
        return entry.map(e -> withBarrier(b -> open(b, e)));
    }

    public Batch batch() {
        return new Batch();
    }

    /**
     * Seals the batch's values and queues it on the store (see {@link Store#submit}). The batch
     * wipes its plaintext copies once sealed, or once its guard refused it, and cannot be
     * submitted again. Its guards ({@link Batch#guardedBy}) run first, under the barrier's lock:
     * the barrier cannot close in between.
     */
    public CompletableFuture<Void> submit(Batch batch) {
        boolean[] rotationDue = {false};
        WriteBatch sealed = withBarrier(b -> {
            batch.checkGuards();
            WriteBatch encrypted = batch.sealWith(b);
            rotationDue[0] = b.claimRotation();
            return encrypted;
        });
        CompletableFuture<Void> committed = store.submit(sealed);
        if (rotationDue[0]) {
            rotation.run();
        }
        return committed;
    }

    /** Submits and waits until the batch is durable; a failure is thrown as its cause. */
    public void write(Batch batch) {
        NonBlocking.check("a synced write");
        Store.await(submit(batch));
    }

    /** The sealed bytes stored at {@code key}, if any: what an undo compares and puts back as they are. */
    public Optional<byte[]> sealedValue(String key) {
        NonBlocking.check("a storage read");
        requireBarrier();
        return store.get(storageKey(key));
    }

    /** The encrypted bytes exactly as stored, for tests that tamper with storage. */
    public byte[] rawValue(String key) {
        NonBlocking.check("a storage read");
        requireBarrier();
        return store.get(storageKey(key)).orElseThrow(() -> KmsError.notFound("stored value " + key));
    }

    /** The raw store key holding {@code key}'s value. */
    public static byte[] storageKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a storage key must not be empty");
        }
        return rawKey(key);
    }

    private static byte[] rawKey(String key) {
        return (DATA_PREFIX + key).getBytes(UTF_8);
    }

    private static Map.Entry<String, byte[]> open(Barrier barrier, Entry entry) {
        byte[] storageKey = entry.key();
        String key = new String(storageKey, DATA_PREFIX.length(), storageKey.length - DATA_PREFIX.length(), UTF_8);
        return Map.entry(key, barrier.open(storageKey, entry.value()));
    }

    /** Installs {@code next} and wipes the barrier it replaces, once no call still uses that one. */
    void replaceBarrier(Barrier next) {
        lock.writeLock().lock();
        try {
            if (barrier != null) {
                barrier.keyring().destroy();
            }
            barrier = next;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private interface BarrierCall<T> {
        T apply(Barrier barrier);
    }

    private <T> T withBarrier(BarrierCall<T> call) {
        lock.readLock().lock();
        try {
            if (barrier == null) {
                throw sealedError();
            }
            return call.apply(barrier);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Throws SEALED unless the barrier is open to data calls: not while the passes an unseal
     * started still run ({@link SealManager#onUnseal}), when the status answers unsealed and the
     * error says so (readiness {@link Readiness#MIGRATING}). Only the calls that come through here
     * are held meanwhile; authentication and the operator's project, token and certificate
     * calls are served.
     */
    public void requireUnsealed() {
        requireBarrier();
        if (unsealing) {
            throw KmsError.of(ErrorCode.SEALED, "Tresor is " + Readiness.MIGRATING.description());
        }
    }

    /** While {@code on}, {@link #requireUnsealed} answers SEALED whether or not the barrier is open. */
    void holdCallers(boolean on) {
        unsealing = on;
    }

    private void requireBarrier() {
        withBarrier(b -> null);
    }

    static KmsError sealedError() {
        return KmsError.of(ErrorCode.SEALED, "Tresor is sealed");
    }

    /** Puts and deletes to write atomically; values are copied and sealed when the batch is submitted. */
    public static final class Batch {
        /** A put of {@code plaintext}, a put of bytes already {@code sealed} (an undo), or a delete (both null). */
        private record Change(String key, byte[] plaintext, byte[] sealed) {
        }

        private final List<Change> changes = new ArrayList<>();
        /** Once submitted: the sealed value the batch left at each key it changed, null for a delete. */
        private final Map<String, byte[]> stored = new LinkedHashMap<>();
        private final List<Runnable> guards = new ArrayList<>();
        private boolean submitted;

        private Batch() {
        }

        /** Copies {@code plaintext}, so the caller may wipe its own buffer right away. */
        public Batch put(String key, byte[] plaintext) {
            storageKey(key);
            changes.add(new Change(key, Objects.requireNonNull(plaintext, "plaintext").clone(), null));
            return this;
        }

        public Batch delete(String key) {
            storageKey(key);
            changes.add(new Change(key, null, null));
            return this;
        }

        /**
         * Puts back, for an undo, the sealed bytes {@link BarrierStore#sealedValue} read at
         * {@code key} before: as they are (sealed under this very key, so they open again).
         */
        public Batch restore(String key, byte[] sealedBefore) {
            storageKey(key);
            changes.add(new Change(key, null, Objects.requireNonNull(sealedBefore, "sealedBefore").clone()));
            return this;
        }

        public boolean isEmpty() {
            return changes.isEmpty();
        }

        /**
         * Has {@link BarrierStore#submit} run {@code check}, after the checks given before, before
         * sealing the batch, under the barrier's lock, so the check holds when the batch is
         * sealed: e.g. a pass of an unseal that a seal stopped ({@link
         * SealManager#requireCurrentPass}) seals nothing after it. A check that throws leaves
         * nothing written; the batch's plaintext copies are wiped and it cannot be submitted again.
         */
        public Batch guardedBy(Runnable check) {
            guards.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        /** The keys the batch changes, in the order first changed. */
        public Set<String> keys() {
            Set<String> keys = new LinkedHashSet<>();
            changes.forEach(change -> keys.add(change.key()));
            return keys;
        }

        /** After submission: the sealed bytes the batch stored at {@code key}, empty if it deleted it. */
        public Optional<byte[]> sealedValue(String key) {
            if (!submitted || !stored.containsKey(key)) {
                throw new IllegalStateException("the batch has not stored " + key);
            }
            return Optional.ofNullable(stored.get(key)).map(byte[]::clone);
        }

        private void checkGuards() {
            requireUnsubmitted();
            try {
                guards.forEach(Runnable::run);
            } catch (RuntimeException | Error e) {
                wipePlaintexts();
                submitted = true;
                throw e;
            }
        }

        private void requireUnsubmitted() {
            if (submitted) {
                throw new IllegalStateException("this batch was already submitted");
            }
        }

        private WriteBatch sealWith(Barrier barrier) {
            requireUnsubmitted();
            WriteBatch sealed = new WriteBatch();
            for (Change change : changes) {
                byte[] storageKey = storageKey(change.key());
                byte[] value = change.plaintext() != null ? barrier.seal(storageKey, change.plaintext())
                        : change.sealed();
                if (value == null) {
                    sealed.delete(storageKey);
                } else {
                    sealed.put(storageKey, value);
                }
                stored.put(change.key(), value);
            }
            wipePlaintexts();
            submitted = true;
            return sealed;
        }

        private void wipePlaintexts() {
            changes.forEach(change -> {
                if (change.plaintext() != null) {
                    Arrays.fill(change.plaintext(), (byte) 0);
                }
            });
        }

        @Override
        public String toString() {
            return "Batch[" + changes.size() + " changes]";
        }
    }
}
