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
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
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
 * <p>Write-ahead log files are reused once their records are flushed: a synced append then
 * overwrites blocks the file already has, so the fsync writes only those blocks, not also the new
 * size and block allocation of a file that grew (about 120 instead of 160-230 µs here;
 * docs/benchmarks.md). A reused file keeps older records past its new end, so {@link #compact()}
 * reopens the database, which deletes every log file it no longer needs instead of keeping it for
 * reuse.
 *
 * <p>Futures complete on the committer thread, so what depends on them must not wait for another
 * write: {@link Store#await} refuses to wait there (it would wait for itself).
 */
public final class RocksDbStore implements Store {
    private static final System.Logger LOG = System.getLogger(RocksDbStore.class.getName());

    /** Write-ahead log files kept for reuse, each about as large as a memtable (64 MiB). */
    private static final int REUSED_LOG_FILES = 2;

    /** What the committer takes from its queue, in submission order. */
    private sealed interface Task {
        CompletableFuture<Void> done();
    }

    private record Pending(WriteBatch batch, CompletableFuture<Void> done) implements Task {
    }

    /** Reopen the database once everything queued before it is committed. */
    private record Reopen(CompletableFuture<Void> done) implements Task {
    }

    /** Queued by {@link #close()} as the very last task: the committer stops after it. */
    private static final Pending END = new Pending(new WriteBatch(), new CompletableFuture<>());

    private final Path dir;
    private final Options options;
    private final WriteOptions syncWrites;
    /** Replaced only by a reopening, under the write lock of {@code dbLock}; null if that failed. */
    private volatile RocksDB db;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Object enqueueLock = new Object();
    /** Calls on the database hold it shared; closing or reopening the database takes it exclusively. */
    private final ReadWriteLock dbLock = new ReentrantReadWriteLock();
    private final Lock compactionLock = new ReentrantLock();
    /** Guards {@code runningCompaction} and {@code compactionsStopped}. */
    private final Object compactionCancel = new Object();
    /** The options of the compaction running now, which {@link #stopCompactions} cancels; null if none. */
    private CompactRangeOptions runningCompaction;
    private boolean compactionsStopped;
    private final Thread committer;
    private final AtomicLong syncedWrites = new AtomicLong();
    private volatile boolean closed;
    /**
     * Set, under {@code enqueueLock}, by the first failed commit or reopening, or by the committer
     * stopping on anything but {@code END}; never cleared. Never thrown itself:
     * every refusal gets its own copy ({@link #refusal}), so nothing one call adds to it reaches another.
     */
    private volatile KmsError failure;
    /**
     * The failure of a committer stopped by anything else (an OutOfMemoryError, say), built in
     * advance: the guard that records it may find the heap still exhausted.
     */
    private final KmsError committerStopped = KmsError.internal(
            "store failed: its committer stopped (the log has the cause); restart the server", null);

    private RocksDbStore(Path dir, Options options, RocksDB db, WriteOptions syncWrites) {
        this.dir = dir;
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
        return open(dir, syncWrites, options -> { });
    }

    /** Opens the store with {@code testSettings} applied to its RocksDB options (listeners, small memtables). */
    static RocksDbStore open(Path dir, WriteOptions syncWrites, Consumer<Options> testSettings) {
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw KmsError.internal("cannot create the store directory " + dir, e);
        }
        // Every value is barrier ciphertext, which does not compress: compressing it costs CPU on
        // every flush and compaction for nothing.
        Options options = new Options().setCreateIfMissing(true).setKeepLogFileNum(5)
                .setCompressionType(CompressionType.NO_COMPRESSION).setRecycleLogFileNum(REUSED_LOG_FILES);
        testSettings.accept(options);
        try {
            return new RocksDbStore(dir, options, RocksDB.open(options, dir.toString()), syncWrites);
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
            if (db == null) {
                throw refusal();
            }
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
        enqueue(new Pending(batch, done), done);
        return done;
    }

    private void enqueue(Task task, CompletableFuture<Void> done) {
        synchronized (enqueueLock) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("the store is closed"));
            } else if (failure != null) {
                done.completeExceptionally(refusal());
            } else {
                queue.add(task);
            }
        }
    }

    private void commitLoop() {
        List<Task> taken = new ArrayList<>();
        List<Pending> group = new ArrayList<>();
        try {
            while (true) {
                taken.add(takeNext());
                queue.drainTo(taken);
                for (Task task : taken) {
                    if (task instanceof Pending pending && pending != END) {
                        group.add(pending);
                        continue;
                    }
                    commitAndClear(group);
                    if (task == END) {
                        return;
                    }
                    reopen((Reopen) task);
                }
                commitAndClear(group);
                taken.clear();
            }
        } catch (Throwable stopped) {
            refuseAfterStopping(taken);
            // Logged here once, with its stack trace; a commit or reopening that met it logged nothing.
            // Not thrown on: the thread's uncaught-exception handler would print it a second time.
            try {
                LOG.log(System.Logger.Level.ERROR, "the store committer stopped; the store refuses every write "
                        + "until it is reopened", stopped);
            } catch (Throwable notLogged) {
                throw stopped; // then the uncaught-exception handler's report is the only one
            }
        }
    }

    /**
     * Makes the store refuse every call before anything that allocates, then fails each task taken
     * or queued on its own, so that no failed completion leaves the others waiting.
     */
    private void refuseAfterStopping(List<Task> taken) {
        recordFailure(committerStopped);
        for (int i = 0; i < taken.size(); i++) {
            refuseQuietly(taken.get(i));
        }
        for (Task task = queue.poll(); task != null; task = queue.poll()) { // nothing joins it once the store failed
            refuseQuietly(task);
        }
    }

    /** Fails {@code task} if it is still waiting; {@code END}'s future is shared by every store and left alone. */
    private void refuseQuietly(Task task) {
        if (task == END) {
            return;
        }
        try {
            task.done().completeExceptionally(refusal());
        } catch (Throwable outOfMemory) {
            // this one stays waiting; the next ones may still be failed
        }
    }

    /** Records {@code thrown} as the store's failure, unless an earlier one stopped it already. */
    private void fail(Throwable thrown, String message) {
        recordFailure(KmsError.internal(message, thrown));
    }

    /**
     * Makes {@code failed} the store's failure unless one is recorded already; under
     * {@code enqueueLock}, so no batch joins the queue once a failure is recorded.
     */
    private void recordFailure(KmsError failed) {
        synchronized (enqueueLock) {
            if (failure == null) {
                failure = failed;
            }
        }
    }

    private void commitAndClear(List<Pending> group) {
        if (!group.isEmpty()) {
            commit(group);
            group.clear();
        }
    }

    private Task takeNext() {
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
            group.forEach(pending -> pending.done().completeExceptionally(refusal()));
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
        } catch (Throwable e) {
            fail(e, "store failed: " + e.getMessage() + "; restart the server");
            if (e instanceof Error error) {
                throw error; // commitLoop fails this group with everything queued, and logs it once
            }
            LOG.log(System.Logger.Level.ERROR, "storage write of " + group.size()
                    + " batches failed; the store refuses every write until it is reopened", e);
            group.forEach(pending -> pending.done().completeExceptionally(refusal()));
            return;
        }
        group.forEach(pending -> pending.done().complete(null));
    }

    @Override
    public Optional<KmsError> failure() {
        return failure == null ? Optional.empty() : Optional.of(refusal());
    }

    /** A fresh copy of {@code failure}, the same code, message and cause, for one refusal. */
    private KmsError refusal() {
        KmsError first = failure;
        return KmsError.internal(first.getMessage(), first.getCause());
    }

    /** How many synced writes (one fsync each) the store has made; batches queued during one share the next. */
    public long syncedWrites() {
        return syncedWrites.get();
    }

    /**
     * One compaction at a time: a reopen queued behind another compaction's full rewrite would hold
     * every commit and read for as long as that takes.
     */
    @Override
    public void compact() {
        Store.refuseWaitingHere("a compaction");
        compactionLock.lock();
        try {
            compactAndReopen();
        } finally {
            compactionLock.unlock();
        }
    }

    private void compactAndReopen() {
        read("compaction", () -> {
            // RocksJava hands RocksDB a cancel flag only once it is set, and each step of the
            // compaction reads the flag it found when it began: set now, every step and every job in
            // it sees the cancel. Not exclusive, so a step does not first wait, deaf to the cancel,
            // for the automatic compactions running.
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
                 CompactRangeOptions full = new CompactRangeOptions().setCanceled(false)
                         .setExclusiveManualCompaction(false)
                         .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
                startCompaction(full);
                try {
                    db.flush(flush);
                    db.compactRange(db.getDefaultColumnFamily(), null, null, full);
                } catch (RocksDBException e) {
                    if (full.canceled()) {
                        throw new IllegalStateException("the compaction was cancelled: the store is closing", e);
                    }
                    throw e;
                } finally {
                    endCompaction();
                }
                return null;
            }
        });
        CompletableFuture<Void> reopened = new CompletableFuture<>();
        enqueue(new Reopen(reopened), reopened);
        Store.await(reopened);
    }

    private void startCompaction(CompactRangeOptions full) {
        synchronized (compactionCancel) {
            if (compactionsStopped) {
                throw new IllegalStateException("the store is closing: it compacts no more");
            }
            runningCompaction = full;
        }
    }

    private void endCompaction() {
        synchronized (compactionCancel) {
            runningCompaction = null;
        }
    }

    /**
     * Cancels the running compaction, which fails within moments instead of rewriting the rest of the
     * store, and refuses every later one; what it was to remove stays on disk until a compaction
     * after the store is opened again.
     */
    @Override
    public void stopCompactions() {
        synchronized (compactionCancel) {
            compactionsStopped = true;
            if (runningCompaction != null) {
                runningCompaction.setCanceled(true);
            }
        }
    }

    /**
     * Closes and opens the database on the committer, between two groups, so no write runs meanwhile
     * and reads wait: opening deletes the log files kept for reuse, with whatever they held. If the
     * database cannot be opened again, the store fails as after a failed commit.
     */
    private void reopen(Reopen task) {
        if (failure != null) {
            task.done().completeExceptionally(refusal());
            return;
        }
        dbLock.writeLock().lock();
        try {
            db.close();
            db = null;
            db = RocksDB.open(options, dir.toString());
            task.done().complete(null);
        } catch (Throwable e) {
            db = null; // whatever state a failed close or open left it in, no call reaches it again
            fail(e, "store failed: cannot reopen " + dir + ": " + e.getMessage() + "; restart the server");
            if (e instanceof Error error) {
                throw error; // commitLoop fails this task with everything queued, and logs it once
            }
            LOG.log(System.Logger.Level.ERROR, "reopening the store after compaction failed; it refuses every "
                    + "call until it is reopened", e);
            task.done().completeExceptionally(refusal());
        } finally {
            dbLock.writeLock().unlock();
        }
    }

    /** Cancels a running compaction first: closing waits for what holds the database, never for a full rewrite. */
    @Override
    public void close() {
        stopCompactions();
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
            if (db != null) {
                db.close();
            }
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
