package dev.tresor.kms.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.CompactionJobInfo;
import org.rocksdb.CompactionReason;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * A real {@link RocksDbStore} whose commits can be made to fail inside RocksDB, for tests of what
 * a failed commit does: its committer's write options are switched to a synced write without the
 * write-ahead log, which RocksDB refuses (InvalidArgument) at write time. Its manual compactions
 * can be held inside RocksDB, once begun, for tests of what meets a compaction that is running.
 */
public final class BreakableRocksDb {
    private final WriteOptions commits;
    private final CompactionHold compactionHold;
    private final RocksDbStore store;

    public BreakableRocksDb(Path dir) {
        this(dir, options -> { });
    }

    /** With {@code moreSettings} applied to the store's RocksDB options (small memtables, say). */
    BreakableRocksDb(Path dir, Consumer<Options> moreSettings) {
        RocksDB.loadLibrary();
        this.commits = new WriteOptions().setSync(true);
        this.compactionHold = new CompactionHold();
        this.store = RocksDbStore.open(dir, commits, options -> moreSettings.accept(options.setListeners(
                List.of(compactionHold))));
    }

    public RocksDbStore store() {
        return store;
    }

    /** Every commit from now on fails in RocksDB; while the committer is held, the next group is the first. */
    public void failCommits() {
        commits.setDisableWAL(true);
    }

    /** The fault passes: RocksDB would accept commits again (a transient disk error). */
    public void healCommits() {
        commits.setDisableWAL(false);
    }

    /**
     * From now on a manual compaction, once RocksDB has begun it, waits in RocksDB's compaction
     * thread until {@code release} opens.
     */
    public void holdCompactions(CountDownLatch release) {
        compactionHold.held = new CountDownLatch(1);
        compactionHold.release = release;
    }

    /** Waits until a manual compaction is held (at most a minute); false if none began. */
    public boolean awaitCompactionHeld() throws InterruptedException {
        return compactionHold.held.await(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
    }

    private static final class CompactionHold extends AbstractEventListener {
        private volatile CountDownLatch held = new CountDownLatch(1);
        private volatile CountDownLatch release;

        CompactionHold() {
            super(EnabledEventCallback.ON_COMPACTION_BEGIN);
        }

        @Override
        public void onCompactionBegin(RocksDB db, CompactionJobInfo info) {
            CountDownLatch waitFor = release;
            if (waitFor != null && info.compactionReason() == CompactionReason.kManualCompaction) {
                held.countDown();
                awaitUninterruptibly(waitFor);
            }
        }
    }

    /**
     * Holds {@code store}'s committer thread in a completion callback until {@code release} opens,
     * so batches submitted meanwhile queue up and form its next group; returns once it is held.
     * The held callback's batch writes a key under {@code hold/}.
     */
    public static CompletableFuture<Void> holdCommitter(RocksDbStore store, CountDownLatch release)
            throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CompletableFuture<Boolean> holding;
        do { // a batch durable before its callback was attached runs the callback here: try again
            holding = store.submit(new WriteBatch().put(StoreContract.b("hold/1"), StoreContract.b("1")))
                    .thenApply(durable -> {
                        if (!(Thread.currentThread() instanceof RocksDbStore.CommitterThread)) {
                            return false;
                        }
                        held.countDown();
                        awaitUninterruptibly(release);
                        return true;
                    });
        } while (holding.isDone() && !holding.join());
        held.await();
        return holding.thenAccept(onCommitter -> { });
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
