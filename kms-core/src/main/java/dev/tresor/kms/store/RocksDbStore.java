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
 * The default {@link Store}: RocksDB with its write-ahead log, every batch synced to disk.
 *
 * <p>One fsync costs about 240 µs here, so syncing each batch on its own would cap writes near
 * 4,000/s. Instead one committer thread takes everything queued, writes it as a single synced
 * RocksDB batch and then completes all the futures: concurrent writers share the fsync, and
 * commit order is queue order, which the audit hash chain relies on.
 *
 * <p>Fail-stop: once a commit fails, that group, every batch queued behind it and every later
 * submission fail with the same {@code INTERNAL} error until the store is reopened (as PostgreSQL
 * after a failed fsync, or RocksDB after a background error). A batch queued behind a failed one
 * may build on it (the next audit record links to the failed one's hash), so committing it would
 * leave a hole that a later write fills with a reused sequence number. Reads still answer: they
 * see only what was committed.
 *
 * <p>Futures complete on the committer thread, so what depends on them must not wait for another
 * write: {@link Store#await} refuses to wait there (it would wait for itself).
 */
public final class RocksDbStore implements Store {
    private static final System.Logger LOG = System.getLogger(RocksDbStore.class.getName());

    private record Pending(WriteBatch batch, CompletableFuture<Void> done) {
    }

    /** Queued by {@link #close()} as the very last element: the committer stops after it. */
    private static final Pending END = new Pending(new WriteBatch(), new CompletableFuture<>());

    private final Options options;
    private final WriteOptions syncWrites;
    private final RocksDB db;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Object enqueueLock = new Object();
    /** Calls on the database hold it shared; closing the database takes it exclusively. */
    private final ReadWriteLock dbLock = new ReentrantReadWriteLock();
    private final Thread committer;
    private final AtomicLong syncedWrites = new AtomicLong();
    private volatile boolean closed;
    /** Set, under {@code enqueueLock}, by the first failed commit; never cleared. */
    private volatile KmsError failure;

    private RocksDbStore(Options options, RocksDB db, WriteOptions syncWrites) {
        this.options = options;
        this.db = db;
        this.syncWrites = syncWrites;
        this.committer = new CommitterThread(this::commitLoop);
        committer.setDaemon(true);
        committer.start();
    }

    public static RocksDbStore open(Path dir) {
        RocksDB.loadLibrary();
        return open(dir, new WriteOptions().setSync(true));
    }

    /** Opens the store committing with {@code syncWrites}, which it then owns (tests give options RocksDB refuses). */
    static RocksDbStore open(Path dir, WriteOptions syncWrites) {
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw KmsError.internal("cannot create the store directory " + dir, e);
        }
        // Every value is barrier ciphertext, which does not compress: compressing it costs CPU on
        // every flush and compaction for nothing.
        Options options = new Options().setCreateIfMissing(true).setKeepLogFileNum(5)
                .setCompressionType(CompressionType.NO_COMPRESSION);
        try {
            return new RocksDbStore(options, RocksDB.open(options, dir.toString()), syncWrites);
        } catch (RocksDBException e) {
            options.close();
            syncWrites.close();
            throw KmsError.internal("cannot open the store at " + dir + ": " + e.getMessage(), e);
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
        List<Pending> group = new ArrayList<>();
        boolean running = true;
        while (running) {
            group.add(takeNext());
            queue.drainTo(group);
            if (group.get(group.size() - 1) == END) {
                group.remove(group.size() - 1);
                running = false;
            }
            if (!group.isEmpty()) {
                commit(group);
            }
            group.clear();
        }
    }

    private Pending takeNext() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                LOG.log(System.Logger.Level.WARNING, "store committer interrupted; it stops only on close()");
            }
        }
    }

    private void commit(List<Pending> group) {
        if (failure != null) {
            group.forEach(pending -> pending.done().completeExceptionally(failure));
            return;
        }
        try (org.rocksdb.WriteBatch merged = new org.rocksdb.WriteBatch()) {
            for (Pending pending : group) {
                for (WriteBatch.Mutation m : pending.batch().mutations()) {
                    if (m instanceof WriteBatch.Put put) {
                        merged.put(put.key(), put.value());
                    } else {
                        merged.delete(m.key());
                    }
                }
            }
            db.write(syncWrites, merged);
            syncedWrites.incrementAndGet();
        } catch (RocksDBException | RuntimeException e) {
            KmsError failed = KmsError.internal("store failed: " + e.getMessage() + "; restart the server", e);
            synchronized (enqueueLock) {
                failure = failed;
            }
            LOG.log(System.Logger.Level.ERROR, "storage write of " + group.size()
                    + " batches failed; the store refuses every write until it is reopened", e);
            group.forEach(pending -> pending.done().completeExceptionally(failed));
            return;
        }
        group.forEach(pending -> pending.done().complete(null));
    }

    @Override
    public Optional<KmsError> failure() {
        return Optional.ofNullable(failure);
    }

    /** How many synced writes (one fsync each) the store has made; batches queued during one share the next. */
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
        joinCommitter();
        dbLock.writeLock().lock();
        try {
            db.close();
            syncWrites.close();
            options.close();
        } finally {
            dbLock.writeLock().unlock();
        }
    }

    private void joinCommitter() {
        boolean interrupted = false;
        while (committer.isAlive()) {
            try {
                committer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The committer, which {@link Store#await} recognises so as not to wait for itself there. */
    static final class CommitterThread extends Thread {
        private CommitterThread(Runnable commitLoop) {
            super(commitLoop, "tresor-store-committer");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }
}
