package dev.tresor.kms.store;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * A real {@link RocksDbStore} whose commits can be made to fail or wait, for tests of what a
 * failed commit does. A failed write fails inside RocksDB: the committer's write options are
 * switched to a synced write without the write-ahead log, which RocksDB refuses (InvalidArgument)
 * at write time. A failed sync is injected in place of RocksDB's {@code syncWal}.
 */
public final class BreakableRocksDb {
    private final Steps steps;
    private final RocksDbStore store;

    public BreakableRocksDb(Path dir) {
        RocksDB.loadLibrary();
        this.steps = new Steps();
        this.store = RocksDbStore.open(dir, steps);
    }

    public RocksDbStore store() {
        return store;
    }

    /** Every write from now on fails in RocksDB; while the committer is held, its held group is the first. */
    public void failCommits() {
        steps.writes.setSync(true).setDisableWAL(true);
    }

    /** The fault passes: RocksDB would accept writes again (a transient disk error). */
    public void healCommits() {
        steps.writes.setSync(false).setDisableWAL(false);
    }

    /** Every write-ahead log sync from now on fails, as an fsync that reports an I/O error. */
    public void failSyncs() {
        steps.failSyncs = true;
    }

    /**
     * Submits a batch writing {@code hold/1} and holds the committer before it writes that batch's
     * group, until {@code release} opens; returns the batch's future once the committer is held.
     * Batches submitted meanwhile queue up and form the next group.
     */
    public CompletableFuture<Void> holdCommitter(CountDownLatch release) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        steps.hold = new Hold(held, release);
        CompletableFuture<Void> holding = store.submit(new WriteBatch().put(StoreContract.b("hold/1"), StoreContract.b("1")));
        held.await();
        return holding;
    }

    /**
     * Holds {@code store}'s syncer, the thread that completes futures, in a completion callback
     * until {@code release} opens; returns once it is held. Groups the committer writes meanwhile
     * wait for the syncer's next sync, which covers them all. The held callback's batch writes a key
     * under {@code hold/}.
     */
    public static CompletableFuture<Void> holdSyncer(RocksDbStore store, CountDownLatch release)
            throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CompletableFuture<Boolean> holding;
        do { // a batch durable before its callback was attached runs the callback here: try again
            holding = store.submit(new WriteBatch().put(StoreContract.b("hold/1"), StoreContract.b("1")))
                    .thenApply(durable -> {
                        if (!(Thread.currentThread() instanceof RocksDbStore.StoreThread)) {
                            return false;
                        }
                        held.countDown();
                        awaitUninterruptibly(release);
                        return true;
                    });
        } while (holding.isDone() && !holding.join());
        held.await();
        return holding.thenAccept(onSyncer -> { });
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Hold(CountDownLatch held, CountDownLatch release) {
    }

    /** RocksDB's own write and sync, with the faults and the hold above. */
    private static final class Steps implements StoreDisk {
        private final WriteOptions writes = new WriteOptions();
        private volatile boolean failSyncs;
        private volatile Hold hold;

        @Override
        public void write(RocksDB db, org.rocksdb.WriteBatch group) throws RocksDBException {
            Hold waiting = hold;
            if (waiting != null) {
                hold = null;
                waiting.held().countDown();
                awaitUninterruptibly(waiting.release());
            }
            db.write(writes, group);
        }

        @Override
        public void sync(RocksDB db) throws RocksDBException {
            if (failSyncs) {
                throw new RocksDBException("injected: the write-ahead log sync failed");
            }
            db.syncWal();
        }

        @Override
        public void close() {
            writes.close();
        }
    }
}
