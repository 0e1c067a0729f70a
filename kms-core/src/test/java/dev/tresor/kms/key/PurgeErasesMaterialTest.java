package dev.tresor.kms.key;

import static dev.tresor.kms.testing.ThreadStates.awaitState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.CreateWrappingKey;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.ForwardingStore;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Purge really erases: the stored (encrypted) bytes of the material vanish from every file. */
class PurgeErasesMaterialTest {
    @TempDir
    Path dataDir;

    @Test
    void purgedMaterialLeavesNoTraceInTheDataDirectory() throws IOException {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        byte[] storedMaterial = storedMaterialOfADeletedKey(clock);
        assertTrue(occursIn(dataDir, storedMaterial), "the stored material is on disk before the purge");

        clock.advance(Duration.ofDays(31));
        try (TestCore test = TestCore.open(dataDir, clock)) {
            assertEquals(1, test.core().purge(), "what the purger runs");
        }
        assertFalse(occursIn(dataDir, storedMaterial), "the purged material is still somewhere on disk");
    }

    @Test
    void aPurgeWhoseCompactionFailedIsCompactedByTheNextRunThoughItErasesNothing() throws IOException {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        byte[] storedMaterial = storedMaterialOfADeletedKey(clock);

        clock.advance(Duration.ofDays(31));
        CompactionFailingOnce store = new CompactionFailingOnce(RocksDbStore.open(KmsCore.storeDirectory(dataDir)));
        try (KmsCore core = KmsCore.open(options(clock, Optional.empty()), store)) {
            assertThrows(IllegalStateException.class, core::purge, "the run whose compaction failed");
            assertTrue(occursIn(dataDir, storedMaterial), "erased, not yet compacted");

            assertEquals(0, core.purge(), "nothing left to erase");
        }
        assertFalse(occursIn(dataDir, storedMaterial), "the next run compacted all the same");
    }

    /**
     * Review s9 n2: closing the core while the purger's run compacts cancels the compaction and waits
     * for the run; the compaction stays owed across the restart, and the first run after it makes it
     * though it erases nothing.
     */
    @Test
    void aPurgeCompactionCancelledByCloseIsMadeByTheFirstRunAfterTheRestart() throws Exception {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        byte[] storedMaterial = storedMaterialOfADeletedKey(clock);
        clock.advance(Duration.ofDays(31));

        BreakableRocksDb held = new BreakableRocksDb(KmsCore.storeDirectory(dataDir));
        CountDownLatch release = new CountDownLatch(1);
        held.holdCompactions(release);
        KmsCore core = KmsCore.open(options(clock, Optional.of(Duration.ofMillis(1))), held.store());
        FutureTask<Void> close = new FutureTask<>(core::close, null);
        try {
            assertTrue(held.awaitCompactionHeld(), "the purger's run never compacted");
            Thread closing = new Thread(close);
            closing.start();
            awaitState(closing, Thread.State.TIMED_WAITING); // the compaction cancelled, waiting for the run
        } finally {
            release.countDown();
            close.run(); // closes the core here if no thread began to
        }
        close.get(1, TimeUnit.MINUTES);

        BreakableRocksDb reopened = new BreakableRocksDb(KmsCore.storeDirectory(dataDir));
        CountDownLatch releaseAgain = new CountDownLatch(1);
        reopened.holdCompactions(releaseAgain);
        try (KmsCore again = KmsCore.open(options(clock, Optional.empty()), reopened.store())) {
            FutureTask<Integer> run = new FutureTask<>(again::purge);
            try {
                new Thread(run).start();
                assertTrue(reopened.awaitCompactionHeld(), "the first run after the restart did not compact");
            } finally {
                releaseAgain.countDown();
            }
            assertEquals(0, run.get(1, TimeUnit.MINUTES), "nothing left to erase");
        }
        assertFalse(occursIn(dataDir, storedMaterial), "the owed compaction left the material on disk");
    }

    /**
     * Review s10 S3: closing stops the purger's run after the key it is erasing, so closing waits for
     * one commit, not for the rest of the run; a later run erases the rest. The run's first erasure
     * is held in the store until closing waits for the run.
     */
    @Test
    void closeStopsThePurgersRunAfterTheKeyItIsErasing() throws Exception {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        storedMaterialsOfDeletedKeys(clock, 3);
        clock.advance(Duration.ofDays(31));

        CountDownLatch release = new CountDownLatch(1);
        FirstErasureHeld store = new FirstErasureHeld(RocksDbStore.open(KmsCore.storeDirectory(dataDir)), release);
        KmsCore core = KmsCore.open(options(clock, Optional.of(Duration.ofMillis(1))), store);
        FutureTask<Void> close = new FutureTask<>(core::close, null);
        try {
            assertTrue(store.held.await(1, TimeUnit.MINUTES), "the purger's run never erased");
            Thread closing = new Thread(close);
            closing.start();
            awaitState(closing, Thread.State.TIMED_WAITING); // the run told to stop, waiting for it
        } finally {
            release.countDown();
            close.run(); // closes the core here if no thread began to
        }
        close.get(1, TimeUnit.MINUTES);

        try (KmsCore again = KmsCore.open(options(clock, Optional.empty()))) {
            assertEquals(2, again.purge(), "the keys the stopped run left to a later one");
        }
    }

    /**
     * Review s10 S6: a second run waits for the one under way, so it cannot find that run's marker,
     * erase under it and have it deleted by that run before its own erasures are compacted.
     */
    @Test
    void aSecondPurgeRunWaitsForTheOneUnderWay() throws Exception {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        storedMaterialOfADeletedKey(clock);
        clock.advance(Duration.ofDays(31));

        BreakableRocksDb held = new BreakableRocksDb(KmsCore.storeDirectory(dataDir));
        CountDownLatch release = new CountDownLatch(1);
        held.holdCompactions(release);
        try (KmsCore core = KmsCore.open(options(clock, Optional.empty()), held.store())) {
            FutureTask<Integer> first = new FutureTask<>(core::purge);
            FutureTask<Integer> second = new FutureTask<>(core::purge);
            try {
                new Thread(first).start();
                assertTrue(held.awaitCompactionHeld(), "the first run never compacted");
                Thread secondRun = new Thread(second);
                secondRun.start();
                awaitState(secondRun, Thread.State.BLOCKED);
            } finally {
                release.countDown();
            }
            assertEquals(1, first.get(1, TimeUnit.MINUTES));
            assertEquals(0, second.get(1, TimeUnit.MINUTES), "the first run erased everything");
        }
    }

    /**
     * A real store in which the purger's first erasure waits, before it is submitted, until
     * {@code release} opens: the purger thread's second write (its first marks the compaction owed).
     */
    private static final class FirstErasureHeld extends ForwardingStore {
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch release;
        private int purgerWrites;

        FirstErasureHeld(Store store, CountDownLatch release) {
            super(store);
            this.release = release;
        }

        @Override
        public CompletableFuture<Void> submit(WriteBatch batch) {
            if (Thread.currentThread().getName().equals("tresor-purger") && ++purgerWrites == 2) {
                held.countDown();
                awaitIgnoringInterrupts(release); // closing interrupts the purger: the hold must outlast that
            }
            return super.submit(batch);
        }

        private static void awaitIgnoringInterrupts(CountDownLatch latch) {
            boolean interrupted = false;
            while (latch.getCount() > 0) {
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private KmsCore.Options options(MovableClock clock, Optional<Duration> purgeInterval) {
        return new KmsCore.Options(Optional.of(dataDir), true, clock, Duration.ofDays(30), Duration.ofHours(24), 1000,
                purgeInterval);
    }

    /** Creates a key, deletes it, and answers its material's value as stored on disk. */
    private byte[] storedMaterialOfADeletedKey(MovableClock clock) {
        return storedMaterialsOfDeletedKeys(clock, 1).get(0);
    }

    /** Creates {@code count} keys, deletes them, and answers their material's values as stored on disk. */
    private List<byte[]> storedMaterialsOfDeletedKeys(MovableClock clock, int count) {
        TenantId tenant;
        List<String> keyIds = new ArrayList<>();
        try (TestCore test = TestCore.open(dataDir, clock)) {
            tenant = test.newProject();
            Caller admin = TestCore.caller(tenant, Role.ADMIN);
            KeyManagement kms = test.core().keyManagement();
            String ring = kms.createKeyRing(admin, new CreateKeyRing("ring", Optional.empty())).id();
            for (int i = 0; i < count; i++) {
                Key key = kms.createKey(admin, CreateKey.rest(ring, "doomed-" + i, Optional.empty(),
                        Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false));
                kms.deleteKey(admin, KeyRef.of(ring, key.id()));
                keyIds.add(key.id());
            }
        }
        return keyIds.stream().map(id -> rawStoredValue(KeyLedger.materialPath(tenant, id, 1))).toList();
    }

    /** A real store whose first compaction fails before it starts. */
    private static final class CompactionFailingOnce extends ForwardingStore {
        private boolean failed;

        CompactionFailingOnce(Store store) {
            super(store);
        }

        @Override
        public void compact() {
            if (!failed) {
                failed = true;
                throw new IllegalStateException("the compaction failed");
            }
            super.compact();
        }
    }

    @Test
    void anExpiredWrappingKeysPrivateKeyIsErased() {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        TenantId tenant;
        WrappingKey wrappingKey;
        try (TestCore test = TestCore.open(dataDir, clock)) {
            tenant = test.newProject();
            Caller admin = TestCore.caller(tenant, Role.ADMIN);
            KeyManagement kms = test.core().keyManagement();
            String ring = kms.createKeyRing(admin, new CreateKeyRing("ring", Optional.empty())).id();
            wrappingKey = kms.createWrappingKey(admin, new CreateWrappingKey(ring, "wk", Optional.empty(),
                    WrappingAlgorithm.RSA_2048_OAEP_SHA256, WrappingKey.Purpose.WRAP_SYMMETRIC_KEY, "software",
                    Key.AccessScope.PUBLIC));
            assertEquals(0, kms.purgeExpired(), "a live wrapping key keeps its private key");
            clock.advance(Duration.ofHours(25));
            assertEquals(1, kms.purgeExpired());
            kms.deleteKeyRing(admin, ring);
        }
        try (RocksDbStore store = RocksDbStore.open(KmsCore.storeDirectory(dataDir))) {
            assertTrue(store.get(BarrierStore.storageKey(KeyLedger.wrappingKeyMaterialPath(tenant, wrappingKey.id()))).isEmpty());
            assertTrue(store.get(BarrierStore.storageKey("t/" + tenant.path() + "/wk/" + wrappingKey.id())).isEmpty(),
                    "deleting the ring erases its wrapping keys");
        }
    }

    private byte[] rawStoredValue(String path) {
        try (RocksDbStore store = RocksDbStore.open(KmsCore.storeDirectory(dataDir))) {
            return store.get(BarrierStore.storageKey(path)).orElseThrow();
        }
    }

    private static boolean occursIn(Path dir, byte[] needle) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
