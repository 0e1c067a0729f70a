package dev.tresor.kms.store;

import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The default {@link Store}: RocksDB with its write-ahead log, every batch synced to disk before
 * its future completes.
 *
 * <p>One fsync costs about 240 µs here, so syncing each batch on its own would cap writes near
 * 4,000/s. The commit is a two-stage pipeline instead. The committer thread takes everything
 * queued and writes it as one unsynced RocksDB batch, in queue order (the audit hash chain relies
 * on it), and hands the group to the syncer thread. The syncer takes every group written so far,
 * syncs the write-ahead log once (covering every write that returned before the sync started) and
 * then completes their futures in queue order. So concurrent writers share the fsync, and the next
 * group's write overlaps the completion callbacks (answer encoding) of the synced ones. Batches
 * arriving during a sync wait for its end before the committer writes them: writing each arrival
 * at once made one RocksDB write and one hand-off per batch instead of per sync, which cost more
 * CPU than it saved on this 2-core machine (docs/benchmarks.md).
 *
 * <p>Fail-stop: once a write or a sync fails, that group, every group written but not yet synced,
 * every batch queued behind and every later submission fail with the same {@code INTERNAL} error
 * until the store is reopened (as PostgreSQL after a failed fsync, or RocksDB after a background
 * error). A batch queued behind a failed one may build on it (the next audit record links to the
 * failed one's hash), so committing it would leave a hole that a later write fills with a reused
 * sequence number. Reads still answer; a group written before the failure may be among what they
 * see (and may be on disk after reopening) though its future failed, as after a failed fsync.
 *
 * <p>Visibility before durability: a written group is visible to reads before its sync, so no
 * answer may leave on such a read unless it waits for a later sync. Every audited core call does:
 * its record is submitted after what it read and its answer waits for the record. What answers
 * from reads without a record waits for {@link Store#durable} (Administration's listings, the key
 * version counts of the metrics). The rest reads memory, not the store (seal status, readiness,
 * rate-limit counters), or only refuses (an authentication that sees a revocation).
 *
 * <p>Futures complete on the syncer thread, so what depends on them must not wait for another
 * write: {@link Store#await} refuses to wait on either store thread (it would wait for itself).
 */
public final class RocksDbStore implements Store {
    private static final System.Logger LOG = System.getLogger(RocksDbStore.class.getName());

    private record Pending(WriteBatch batch, CompletableFuture<Void> done) {
    }

    /** Batches written as one RocksDB write; {@code last} is the committer's final hand-off. */
    private record Group(List<Pending> members, boolean last) {
    }

    /** Queued by {@link #close()} as the very last element: the committer stops after it. */
    private static final Pending END = new Pending(new WriteBatch(), new CompletableFuture<>());

    private final Options options;
    private final StoreDisk disk;
    private final RocksDB db;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Groups written, in queue order, waiting for the syncer. */
    private final BlockingQueue<Group> written = new LinkedBlockingQueue<>();
    private final Object enqueueLock = new Object();
    /** Calls on the database hold it shared; closing the database takes it exclusively. */
    private final ReadWriteLock dbLock = new ReentrantReadWriteLock();
    private final Thread committer;
    private final Thread syncer;
    private final AtomicLong writtenGroups = new AtomicLong();
    private final Object syncTurn = new Object();
    /** Whether the syncer is in a sync; guarded by {@code syncTurn}. */
    private boolean syncing;
    private final AtomicLong syncedWrites = new AtomicLong();
    private volatile boolean closed;
    /** Set, under {@code enqueueLock}, by the first failed write or sync; never cleared. */
    private volatile KmsError failure;

    private RocksDbStore(Options options, RocksDB db, StoreDisk disk) {
        this.options = options;
        this.db = db;
        this.disk = disk;
        this.committer = new StoreThread(this::commitLoop, "tresor-store-committer");
        this.syncer = new StoreThread(this::syncLoop, "tresor-store-syncer");
        syncer.start();
        committer.start();
    }

    public static RocksDbStore open(Path dir) {
        RocksDB.loadLibrary();
        return open(dir, new WalDisk());
    }

    /** Opens the store writing and syncing through {@code disk}, which it then owns (tests give failing steps). */
    static RocksDbStore open(Path dir, StoreDisk disk) {
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            disk.close();
            throw KmsError.internal("cannot create the store directory " + dir, e);
        }
        // Every value is barrier ciphertext, which does not compress: compressing it costs CPU on
        // every flush and compaction for nothing.
        Options options = new Options().setCreateIfMissing(true).setKeepLogFileNum(5)
                .setCompressionType(CompressionType.NO_COMPRESSION);
        try {
            return new RocksDbStore(options, RocksDB.open(options, dir.toString()), disk);
        } catch (RocksDBException e) {
            options.close();
            disk.close();
            throw KmsError.internal("cannot open the store at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The real steps: an unsynced write with the write-ahead log on, then {@code syncWal}. */
    private static final class WalDisk implements StoreDisk {
        private final WriteOptions unsynced = new WriteOptions();

        @Override
        public void write(RocksDB db, org.rocksdb.WriteBatch group) throws RocksDBException {
            db.write(unsynced, group);
        }

        @Override
        public void sync(RocksDB db) throws RocksDBException {
            db.syncWal();
        }

        @Override
        public void close() {
            unsynced.close();
        }
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        return read("read", () -> Optional.ofNullable(db.get(key)));
    }

    @Override
    public List<Entry> scan(byte[] prefix) {
        return read("read", () -> {
            try (RocksIterator it = db.newIterator()) {
                List<Entry> found = new ArrayList<>();
                for (it.seek(prefix); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (!KeyPrefix.startsWith(key, prefix)) {
                        break;
                    }
                    found.add(new Entry(key, it.value()));
                }
                it.status();
                return found;
            }
        });
    }

    @Override
    public Optional<Entry> last(byte[] prefix) {
        return read("read", () -> {
            try (RocksIterator it = db.newIterator()) {
                Optional<byte[]> bound = KeyPrefix.successor(prefix);
                if (bound.isPresent()) {
                    it.seekForPrev(bound.get());
                    if (it.isValid() && !KeyPrefix.startsWith(it.key(), prefix)) {
                        it.prev();
                    }
                } else {
                    it.seekToLast();
                }
                it.status();
                return it.isValid() && KeyPrefix.startsWith(it.key(), prefix)
                        ? Optional.of(new Entry(it.key(), it.value()))
                        : Optional.empty();
            }
        });
    }

    /** A RocksDB call that may fail with its checked exception. */
    private interface RocksCall<T> {
        T run() throws RocksDBException;
    }

    /**
     * Runs {@code call} against the open database; iterators created inside read one implicit
     * snapshot. Closing waits for running calls, so none touches a closed native handle.
     */
    private <T> T read(String what, RocksCall<T> call) {
        dbLock.readLock().lock();
        try {
            checkOpen();
            return call.run();
        } catch (RocksDBException e) {
            throw KmsError.internal("storage " + what + " failed", e);
        } finally {
            dbLock.readLock().unlock();
        }
    }

    @Override
    public CompletableFuture<Void> submit(WriteBatch batch) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (enqueueLock) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("the store is closed"));
            } else if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                queue.add(new Pending(batch, done));
            }
        }
        return done;
    }

    private void commitLoop() {
        boolean running = true;
        while (running) {
            List<Pending> members = new ArrayList<>();
            members.add(take(queue));
            awaitSyncEnd();
            queue.drainTo(members);
            if (members.get(members.size() - 1) == END) {
                members.remove(members.size() - 1);
                running = false;
            }
            if (!members.isEmpty() && failure == null) {
                write(members);
            }
            written.add(new Group(members, !running));
        }
    }

    /**
     * Batches arriving during a sync wait for its end and then form one group, written while the
     * syncer completes the futures: one RocksDB write and one hand-off per sync, not one per arrival.
     */
    private void awaitSyncEnd() {
        synchronized (syncTurn) {
            while (syncing) {
                try {
                    syncTurn.wait();
                } catch (InterruptedException e) {
                    LOG.log(System.Logger.Level.WARNING, "store committer interrupted; it stops only on close()");
                }
            }
        }
    }

    private void write(List<Pending> members) {
        try (org.rocksdb.WriteBatch merged = new org.rocksdb.WriteBatch()) {
            for (Pending pending : members) {
                for (WriteBatch.Mutation m : pending.batch().mutations()) {
                    if (m instanceof WriteBatch.Put put) {
                        merged.put(put.key(), put.value());
                    } else {
                        merged.delete(m.key());
                    }
                }
            }
            disk.write(db, merged);
            writtenGroups.incrementAndGet();
        } catch (RocksDBException | RuntimeException e) {
            stop("write of " + members.size() + " batches", e);
        }
    }

    private void syncLoop() {
        List<Group> groups = new ArrayList<>();
        boolean running = true;
        while (running) {
            groups.add(take(written));
            written.drainTo(groups);
            running = !groups.get(groups.size() - 1).last();
            syncAndComplete(groups);
            groups.clear();
        }
    }

    /**
     * Syncs once for every group given, all written before, and completes their futures in queue
     * order; fails them all if the store has stopped, before this sync or by it. A failure set
     * during a successful sync leaves the groups it covered complete: they are durable.
     */
    private void syncAndComplete(List<Group> groups) {
        if (groups.stream().allMatch(group -> group.members().isEmpty())) {
            return;
        }
        KmsError stopped = failure;
        if (stopped == null) {
            synchronized (syncTurn) {
                syncing = true;
            }
            try {
                disk.sync(db);
                syncedWrites.incrementAndGet();
            } catch (RocksDBException | RuntimeException e) {
                stopped = stop("sync of " + groups.size() + " written groups", e);
            } finally {
                synchronized (syncTurn) {
                    syncing = false;
                    syncTurn.notifyAll();
                }
            }
        }
        for (Group group : groups) {
            for (Pending pending : group.members()) {
                if (stopped == null) {
                    pending.done().complete(null);
                } else {
                    pending.done().completeExceptionally(stopped);
                }
            }
        }
    }

    /** Sets the store's failure (the first one stays) and returns it. */
    private KmsError stop(String what, Exception e) {
        KmsError failed = KmsError.internal("store failed: " + e.getMessage() + "; restart the server", e);
        synchronized (enqueueLock) {
            if (failure == null) {
                failure = failed;
            }
        }
        LOG.log(System.Logger.Level.ERROR, "storage " + what
                + " failed; the store refuses every write until it is reopened", e);
        return failure;
    }

    private static <T> T take(BlockingQueue<T> from) {
        while (true) {
            try {
                return from.take();
            } catch (InterruptedException e) {
                LOG.log(System.Logger.Level.WARNING, "store thread interrupted; it stops only on close()");
            }
        }
    }

    @Override
    public Optional<KmsError> failure() {
        return Optional.ofNullable(failure);
    }

    /** How many RocksDB writes the committer has made; each holds every batch queued when it began. */
    public long writtenGroups() {
        return writtenGroups.get();
    }

    /** How many write-ahead log syncs (one fsync each) the store has made; groups written during one share the next. */
    public long syncedWrites() {
        return syncedWrites.get();
    }

    @Override
    public void compact() {
        read("compaction", () -> {
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
                 CompactRangeOptions full = new CompactRangeOptions()
                         .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
                db.flush(flush);
                db.compactRange(db.getDefaultColumnFamily(), null, null, full);
                return null;
            }
        });
    }

    @Override
    public void close() {
        synchronized (enqueueLock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(END);
        }
        join(committer);
        join(syncer);
        dbLock.writeLock().lock();
        try {
            db.close();
            disk.close();
            options.close();
        } finally {
            dbLock.writeLock().unlock();
        }
    }

    private static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The committer or the syncer, which {@link Store#await} recognises so as not to wait for itself there. */
    static final class StoreThread extends Thread {
        private StoreThread(Runnable loop, String name) {
            super(loop, name);
            setDaemon(true);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }
}
