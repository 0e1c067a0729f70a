package dev.tresor.kms.store;

import static dev.tresor.kms.store.StoreContract.b;
import static dev.tresor.kms.testing.ThreadStates.awaitState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbStoreTest implements StoreContract {
    @TempDir
    Path dir;

    @Override
    public Store newStore() {
        return RocksDbStore.open(dir.resolve("db"));
    }

    @Test
    void committedBatchesSurviveReopening() {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("a"), b("1")).put(b("b"), b("2")));
            store.write(new WriteBatch().delete(b("a")));
        }
        try (Store reopened = newStore()) {
            assertEquals(Optional.empty(), reopened.get(b("a")));
            assertArrayEquals(b("2"), reopened.get(b("b")).orElseThrow());
        }
    }

    @Test
    void closeCommitsEverythingAlreadySubmitted() {
        List<CompletableFuture<Void>> pending;
        try (Store store = newStore()) {
            pending = Stream.of("x", "y", "z").map(k -> store.submit(new WriteBatch().put(b(k), b(k)))).toList();
        }
        pending.forEach(f -> assertTrue(f.isDone() && !f.isCompletedExceptionally()));
        try (Store reopened = newStore()) {
            assertEquals(3, reopened.scan(b("")).size());
        }
    }

    @Test
    void batchesQueuedWhileOneIsWrittenShareOneSyncedWrite() throws InterruptedException {
        try (RocksDbStore store = RocksDbStore.open(dir.resolve("db"))) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holding = BreakableRocksDb.holdCommitter(store, release);
            long before = store.syncedWrites();
            List<CompletableFuture<Void>> queued = IntStream.range(0, 16)
                    .mapToObj(i -> store.submit(new WriteBatch().put(b("k" + i), b("v" + i)))).toList();
            release.countDown();
            queued.forEach(CompletableFuture::join);
            holding.join();
            assertEquals(before + 1, store.syncedWrites(), "the 16 batches queued meanwhile share one synced write");
            assertEquals(17, store.scan(b("")).size());
        }
    }

    @Test
    void aFailedCommitStopsEveryWriteUntilTheStoreIsReopenedEvenIfTheFaultPasses() throws InterruptedException {
        BreakableRocksDb breakable = new BreakableRocksDb(dir.resolve("db"));
        try (RocksDbStore store = breakable.store()) {
            store.write(new WriteBatch().put(b("before"), b("1")));
            CountDownLatch release = new CountDownLatch(1);
            BreakableRocksDb.holdCommitter(store, release);
            CompletableFuture<Void> failing = store.submit(new WriteBatch().put(b("a"), b("1")));
            CompletableFuture<Void> queuedBehind = store.submit(new WriteBatch().put(b("b"), b("2")));
            // the fault passes at once, and a batch is submitted on the committer as soon as the failure is known
            CompletableFuture<CompletableFuture<Void>> submittedAfter = failing.handle((durable, failure) -> {
                breakable.healCommits();
                return store.submit(new WriteBatch().put(b("c"), b("3")));
            });
            breakable.failCommits();
            release.countDown();

            for (CompletableFuture<Void> batch : List.of(failing, queuedBehind, submittedAfter.join())) {
                assertStoreFailed(assertThrows(KmsError.class, () -> Store.await(batch)));
            }
            CompletableFuture<Void> later = store.submit(new WriteBatch().put(b("d"), b("4")));
            assertTrue(later.isCompletedExceptionally(), "refused at once, not queued");
            assertStoreFailed(assertThrows(KmsError.class, () -> store.write(new WriteBatch().delete(b("before")))));
            assertStoreFailed(store.failure().orElseThrow());
            assertArrayEquals(b("1"), store.get(b("before")).orElseThrow(), "reads still answer");
        }
        try (RocksDbStore reopened = RocksDbStore.open(dir.resolve("db"))) {
            assertEquals(List.of("before", "hold/1"),
                    reopened.scan(b("")).stream().map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList());
            assertEquals(Optional.empty(), reopened.failure());
            reopened.write(new WriteBatch().put(b("after"), b("5")));
            assertArrayEquals(b("5"), reopened.get(b("after")).orElseThrow());
        }
    }

    /**
     * Review s9 n2: every call the failed store refuses gets an error of its own, so what one caller
     * adds to it (a seal listener's failure, say) does not reach the log lines of every later refusal.
     */
    @Test
    void eachRefusalOfAFailedStoreIsAnErrorOfItsOwn() {
        BreakableRocksDb breakable = new BreakableRocksDb(dir.resolve("db"));
        try (RocksDbStore store = breakable.store()) {
            breakable.failCommits();
            KmsError first = assertThrows(KmsError.class, () -> store.write(new WriteBatch().put(b("a"), b("1"))));
            first.addSuppressed(new IllegalStateException("what one caller met besides"));

            List<KmsError> later = List.of(
                    assertThrows(KmsError.class, () -> store.write(new WriteBatch().put(b("b"), b("2")))),
                    assertThrows(KmsError.class, () -> Store.await(store.submit(new WriteBatch().put(b("c"), b("3"))))),
                    store.failure().orElseThrow());

            for (KmsError refusal : later) {
                assertNotSame(first, refusal);
                assertSameFailure(first, refusal);
                assertEquals(0, refusal.getSuppressed().length, "nothing another caller added");
            }
            assertNotSame(later.get(0), later.get(1));
        }
    }

    private static void assertSameFailure(KmsError expected, KmsError actual, String... why) {
        assertEquals(List.of(expected.code(), expected.getMessage()), List.of(actual.code(), actual.getMessage()),
                String.join("", why));
        assertSame(expected.getCause(), actual.getCause(), "RocksDB's exception, the first failure's cause");
    }

    private static void assertStoreFailed(KmsError e) {
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertTrue(e.getMessage().startsWith("store failed: ") && e.getMessage().endsWith("; restart the server"),
                e.getMessage());
    }

    @Test
    void aSynchronousWriteOnTheCommitterIsRefusedInsteadOfWaitingForItself() throws InterruptedException {
        // Not closed on failure: a committer waiting for itself would hold close() forever.
        RocksDbStore store = RocksDbStore.open(dir.resolve("db"));
        CountDownLatch release = new CountDownLatch(1);
        BreakableRocksDb.holdCommitter(store, release);
        CompletableFuture<RuntimeException> nested = store.submit(new WriteBatch().put(b("outer"), b("1")))
                .thenApply(durable -> {
                    try {
                        store.write(new WriteBatch().put(b("inner"), b("2")));
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                });
        release.countDown();
        RuntimeException refused = assertTimeoutPreemptively(Duration.ofMinutes(1), nested::join,
                "the write waited for the committer it was running on");
        assertInstanceOf(IllegalStateException.class, refused);
        assertTrue(refused.getMessage().contains("committer thread"), refused.getMessage());
        store.write(new WriteBatch().put(b("still"), b("usable")));
        store.close();
    }

    @Test
    void compactRemovesDeletedValuesFromEveryFileOnDisk() {
        byte[] marker = new byte[48];
        new SecureRandom().nextBytes(marker);
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("purged"), marker).put(b("kept"), b("still here")));
            store.compact();
            assertTrue(filesContain(dir, marker), "the value reached the storage files");

            store.write(new WriteBatch().delete(b("purged")));
            store.compact();
            assertFalse(filesContain(dir, marker), "no file under the data dir still holds the purged value");
            assertArrayEquals(b("still here"), store.get(b("kept")).orElseThrow());
        }
    }

    /**
     * Review s9 n2: close cancels a running compaction instead of waiting for it to rewrite the
     * whole store. The compaction is held inside RocksDB at its first step (the flushed delete's
     * move down a level) once begun; close starts, and the hold ends only once close waits. RocksDB
     * then stops the compaction (without the cancellation it runs to its end and close refuses its
     * reopen instead).
     */
    @Test
    void closeCancelsARunningCompactionAndTheStoreOpensAgainIntact() throws Exception {
        BreakableRocksDb breakable = new BreakableRocksDb(dir.resolve("db"));
        RocksDbStore store = breakable.store();
        store.write(new WriteBatch().put(b("purged"), b("gone")).put(b("kept"), b("still here")));
        store.compact();
        store.write(new WriteBatch().delete(b("purged")));

        assertEquals("the compaction was cancelled: the store is closing", compactionClosedMeanwhile(breakable));
        assertTheStoreOpensAgainHolding(List.of("kept"));
    }

    /**
     * Review s10 S1: the cancel reaches the step that is running, even the last one, the rewrite of
     * the bottommost level, which on a large store is most of the compaction. Here it is the only
     * step: every value is in the bottommost level and nothing is left to flush. Without the cancel
     * flag handed to RocksDB before the compaction begins, that step never sees the cancel and runs
     * to its end.
     */
    @Test
    void closeCancelsTheBottommostRewriteThatIsRunning() throws Exception {
        BreakableRocksDb breakable = new BreakableRocksDb(dir.resolve("db"));
        RocksDbStore store = breakable.store();
        store.write(new WriteBatch().put(b("kept"), b("still here")).put(b("also"), b("kept")));
        store.compact();

        assertEquals("the compaction was cancelled: the store is closing", compactionClosedMeanwhile(breakable));
        assertTheStoreOpensAgainHolding(List.of("also", "kept"));
    }

    /** Closes the store while a compaction is held inside RocksDB, then lets it go; answers how the compaction failed. */
    private static String compactionClosedMeanwhile(BreakableRocksDb breakable) throws Exception {
        RocksDbStore store = breakable.store();
        CountDownLatch release = new CountDownLatch(1);
        breakable.holdCompactions(release);
        FutureTask<Void> compaction = new FutureTask<>(store::compact, null);
        FutureTask<Void> close = new FutureTask<>(store::close, null);
        try {
            new Thread(compaction).start();
            assertTrue(breakable.awaitCompactionHeld(), "the compaction never began");
            Thread closing = new Thread(close);
            closing.start();
            awaitState(closing, Thread.State.WAITING); // past the cancellation, which close makes first
        } finally {
            release.countDown(); // a held compaction would hold close() forever
        }
        close.get(1, TimeUnit.MINUTES);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> compaction.get(1, TimeUnit.MINUTES));
        return failed.getCause().getMessage();
    }

    private void assertTheStoreOpensAgainHolding(List<String> keys) {
        try (RocksDbStore reopened = RocksDbStore.open(dir.resolve("db"))) {
            assertArrayEquals(b("still here"), reopened.get(b("kept")).orElseThrow());
            reopened.compact();
            assertEquals(keys,
                    reopened.scan(b("")).stream().map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList());
        }
    }

    /**
     * Review s9 n5: the deleted value lies, as an old record, in a reused log file that is the active
     * log when the compaction reopens the database, and the reopening deletes that file too; without
     * the reopening the value stays there. As in production, where the committer keeps writing while
     * the store compacts, a batch is committed to that log during the compaction, ahead of the value
     * (review s10 S5): the reopening replays it before it deletes the file, and it reads back.
     * Small memtables make the logs turn over in a few writes. The compaction's flush moves on to
     * the value's log only if RocksDB finished flushing that log's records, which it does in the
     * background, and the batch committed meanwhile, written from the reused log's start, may cover
     * the value itself (review s11 m2): an attempt that misses the case is made again.
     */
    @Test
    void compactRemovesADeletedValueLeftInTheReusedLogThatIsActiveAtTheReopen() throws Exception {
        Path db = dir.resolve("db");
        BreakableRocksDb breakable = new BreakableRocksDb(db, options -> options.setWriteBufferSize(64 * 1024));
        try (RocksDbStore store = breakable.store()) {
            boolean met = false;
            for (int attempt = 0; attempt < 10 && !met; attempt++) {
                met = compactsWithTheValueInTheActiveLog(breakable, store, db, attempt);
            }
            assertTrue(met, "in 10 attempts the active log at the reopen never was the one holding the value");
        }
    }

    /** One attempt: asserts the value leaves every file, answers whether the case was met. */
    private boolean compactsWithTheValueInTheActiveLog(BreakableRocksDb breakable, RocksDbStore store, Path db,
                                                       int attempt) throws Exception {
        byte[] marker = new byte[48];
        new SecureRandom().nextBytes(marker);
        byte[] filler = new byte[4096];
        int written = 0;
        for (; written < 40; written++) { // fills the logs kept for reuse
            store.write(new WriteBatch().put(b(attempt + "/" + written), filler));
        }
        store.write(new WriteBatch().put(b("purged"), marker));
        store.write(new WriteBatch().delete(b("purged")));
        Path markersLog = activeLog(db);
        assertTrue(filesContain(markersLog, marker));
        while (activeLog(db).equals(markersLog)) { // until RocksDB moves on to the next log
            assertTrue(written < 200, "the log holding the value was never left");
            store.write(new WriteBatch().put(b(attempt + "/" + written++), filler));
        }

        CountDownLatch release = new CountDownLatch(1);
        breakable.holdCompactions(release);
        FutureTask<Void> compaction = new FutureTask<>(store::compact, null);
        boolean met;
        byte[] committedMeanwhile = b("during/" + attempt);
        try {
            new Thread(compaction).start();
            assertTrue(breakable.awaitCompactionHeld(), "the compaction never began");
            store.write(new WriteBatch().put(committedMeanwhile, filler));
            // the flush moved on to a log reused from before, and the batch just written there, from the
            // log's start, did not cover the value: only the reopening can remove it now
            met = filesContain(activeLog(db), marker);
        } finally {
            release.countDown();
        }
        compaction.get(1, TimeUnit.MINUTES);
        assertFalse(filesContain(dir, marker), "no file under the data dir still holds the deleted value");
        assertArrayEquals(filler, store.get(committedMeanwhile).orElseThrow(), "the batch committed meanwhile");
        return met;
    }

    /** The write-ahead log file RocksDB appends to now: the one of the highest number. */
    private static Path activeLog(Path db) throws IOException {
        try (Stream<Path> files = Files.list(db)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).max(Path::compareTo).orElseThrow();
        }
    }

    @Test
    void writesQueuedBeforeAndBehindTheReopenOfACompactionAllCommitInOrder() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(dir.resolve("db"))) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holding = BreakableRocksDb.holdCommitter(store, release);
            List<CompletableFuture<Void>> before;
            List<CompletableFuture<Void>> behind;
            Thread compacting = new Thread(store::compact);
            try {
                before = submitNumbered(store, 0, "before");
                compacting.start();
                awaitState(compacting, Thread.State.WAITING); // its reopen is queued behind the writes before
                behind = submitNumbered(store, 50, "behind");
            } finally {
                release.countDown(); // a held committer would hold close() forever
            }
            compacting.join(Duration.ofMinutes(1).toMillis());
            assertFalse(compacting.isAlive(), "the compaction's reopen never ran");
            for (CompletableFuture<Void> write : Stream.of(before, behind).flatMap(List::stream).toList()) {
                write.get(1, TimeUnit.MINUTES);
            }
            holding.get(1, TimeUnit.MINUTES);
            assertEquals(100, store.scan(b("n/")).size());
            assertArrayEquals(b("behind"), store.get(b("last")).orElseThrow(), "the writes behind the reopen came last");
        }
    }

    /** Fifty batches, each a numbered key, and the last one also writing {@code last} = {@code name}. */
    private static List<CompletableFuture<Void>> submitNumbered(Store store, int from, String name) {
        return IntStream.range(from, from + 50).mapToObj(i -> store.submit(new WriteBatch()
                .put(b(String.format("n/%03d", i)), b(name)).put(b("last"), b(name)))).toList();
    }

    @Test
    void aDatabaseThatCannotBeReopenedAfterCompactionFailsTheStoreAndNothingIsWritten() throws IOException {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("a"), b("1")));
            // RocksDB reads CURRENT only when it opens: the running database does not notice
            Files.writeString(dir.resolve("db").resolve("CURRENT"), "MANIFEST-999999\n");

            KmsError reopen = assertThrows(KmsError.class, store::compact);
            assertEquals(ErrorCode.INTERNAL, reopen.code());
            assertTrue(reopen.getMessage().startsWith("store failed: cannot reopen "), reopen.getMessage());
            assertSameFailure(reopen, store.failure().orElseThrow());
            assertSameFailure(reopen, assertThrows(KmsError.class, () -> store.get(b("a"))),
                    "reads refused, no closed handle");
            assertSameFailure(reopen, assertThrows(KmsError.class, () -> store.write(new WriteBatch().put(b("b"), b("2")))));
            assertSameFailure(reopen, assertThrows(KmsError.class, store::compact));
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedAndTheFirstStaysUsable() {
        try (Store first = newStore()) {
            KmsError e = assertThrows(KmsError.class, this::newStore);
            assertEquals(ErrorCode.INTERNAL, e.code());
            assertTrue(e.getMessage().startsWith("cannot open the store at "), e.getMessage());
            first.write(new WriteBatch().put(b("still"), b("usable")));
            assertArrayEquals(b("usable"), first.get(b("still")).orElseThrow());
        }
    }

    /** Background flushes and compactions delete files meanwhile: a file gone holds nothing. */
    private static boolean filesContain(Path root, byte[] needle) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.anyMatch(f -> {
                try {
                    return Files.isRegularFile(f) && indexOf(Files.readAllBytes(f), needle) >= 0;
                } catch (NoSuchFileException gone) {
                    return false;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
