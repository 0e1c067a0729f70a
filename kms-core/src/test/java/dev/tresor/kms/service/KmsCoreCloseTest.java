package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.StoredPeriods;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import dev.tresor.kms.testing.ForwardingStore;
import dev.tresor.kms.testing.MovableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link KmsCore#close} leaves behind when the seal it runs fails, and what opening a core
 * over a store ({@link KmsCore#open(KmsCore.Options, Store)}) leaves behind when it fails: the
 * store closed by the core itself, and the first failure thrown.
 */
class KmsCoreCloseTest {
    @TempDir
    Path dataDir;

    /**
     * Review s8b s5: the seal at close fails (here its pass before sealing runs out of memory), and
     * the store is closed all the same, so RocksDB's lock on the data directory is released.
     */
    @Test
    void aSealFailingAtCloseStillClosesTheStore() {
        OutOfMemoryError thrown = closeWhileWritesFail(StoreClose.CLOSES);

        assertEquals("the write before sealing ran out of memory", thrown.getMessage());
        assertTheDataDirectoryOpensAgain();
    }

    /**
     * Review s9 m7: the seal at close fails and then the store's close fails too; the seal's
     * failure is thrown, not hidden by the close's, which is added to it.
     */
    @Test
    void aStoreCloseFailingAfterAFailedSealDoesNotHideTheSealsFailure() {
        OutOfMemoryError thrown = closeWhileWritesFail(StoreClose.FAILS);

        assertEquals("the write before sealing ran out of memory", thrown.getMessage());
        assertEquals(List.of("the store's close failed once RocksDB was closed"),
                Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertTheDataDirectoryOpensAgain();
    }

    /**
     * Review s9 n3: the store's close rethrows the very failure the seal threw (a forwarding store
     * passing on what it met); close throws that failure, not the IllegalArgumentException of a
     * failure suppressing itself.
     */
    @Test
    void aStoreCloseRethrowingTheSealsFailureThrowsThatFailure() {
        OutOfMemoryError thrown = closeWhileWritesFail(StoreClose.RETHROWS_THE_FAILURE);

        assertEquals("the write before sealing ran out of memory", thrown.getMessage());
        assertEquals(0, thrown.getSuppressed().length);
        assertTheDataDirectoryOpensAgain();
    }

    /**
     * Review s12: an opening of the core that fails with an Error (a store read running out of
     * heap) closes the store it was given, as one failing with a RuntimeException does; else
     * RocksDB's lock on the data directory stays, and every later open of it in this JVM fails.
     */
    @Test
    void anOpeningFailingWithAnErrorClosesTheStore() {
        OutOfMemoryError readFailed = new OutOfMemoryError("the heap ran out during a read");
        FailingStore store = readsFailing(readFailed, StoreClose.CLOSES);

        assertSame(readFailed, assertThrows(OutOfMemoryError.class, () -> KmsCore.open(options(), store)));

        assertTrue(store.closed, "the core closed the store it was given");
        assertTheDataDirectoryOpensAgain();
    }

    /**
     * Review s12: an opening of the core fails, and then the store's close fails too; the
     * opening's failure is thrown, not replaced by the close's, which is added to it.
     */
    @Test
    void aStoreCloseFailingAfterAFailedOpeningDoesNotHideTheOpeningsFailure() {
        IllegalStateException readFailed = new IllegalStateException("the read failed");
        FailingStore store = readsFailing(readFailed, StoreClose.FAILS);

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> KmsCore.open(options(), store));

        assertSame(readFailed, thrown);
        assertEquals(List.of("the store's close failed once RocksDB was closed"),
                Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertTheDataDirectoryOpensAgain();
    }

    /**
     * Review s12: the opening fails in starting the purger, its last step (here the scheduler
     * refuses a zero interval; in production the JVM may fail to create its thread, an
     * OutOfMemoryError); the core closes the store it opened.
     */
    @Test
    void anOpeningWhosePurgerCannotStartClosesTheStore() {
        assertThrows(IllegalArgumentException.class, () -> KmsCore.open(options(Optional.of(Duration.ZERO))));

        assertTheDataDirectoryOpensAgain();
    }

    /** A real store in the data directory whose reads fail with {@code failure} from the start. */
    private FailingStore readsFailing(Throwable failure, StoreClose close) {
        FailingStore store = new FailingStore(RocksDbStore.open(KmsCore.storeDirectory(dataDir)), failure, close);
        store.failReads();
        return store;
    }

    /** Closes a core whose store's writes fail with an Error by then; answers what close threw. */
    private OutOfMemoryError closeWhileWritesFail(StoreClose storeClose) {
        OutOfMemoryError writeFailed = new OutOfMemoryError("the write before sealing ran out of memory");
        FailingStore store = new FailingStore(RocksDbStore.open(KmsCore.storeDirectory(dataDir)), writeFailed,
                storeClose);
        KmsCore core = KmsCore.open(options(), store);
        // a pass of this process leaves the chain ends to note before sealing, a write
        core.backfillUsePeriods("no periods", key -> StoredPeriods.none());
        store.failWrites();
        return assertThrows(OutOfMemoryError.class, core::close);
    }

    private void assertTheDataDirectoryOpensAgain() {
        try (KmsCore again = KmsCore.open(options())) {
            assertTrue(again.ready(), "the same data directory opens again");
        }
    }

    private KmsCore.Options options() {
        return options(Optional.empty());
    }

    private KmsCore.Options options(Optional<Duration> purgeInterval) {
        return new KmsCore.Options(Optional.of(dataDir), true, MovableClock.at("2026-01-01T00:00:00Z"),
                Duration.ofDays(30), Duration.ofHours(24), 1000, purgeInterval);
    }

    /** What the store's close does once it closed the real store. */
    private enum StoreClose { CLOSES, FAILS, RETHROWS_THE_FAILURE }

    /**
     * A real store whose reads or writes, once told, fail with its one failure in the caller's
     * thread, and whose close does as built once it closed the real store.
     */
    private static final class FailingStore extends ForwardingStore {
        private final Throwable failure;
        private final StoreClose close;
        private volatile boolean failingReads;
        private volatile boolean failingWrites;
        private volatile boolean closed;

        /** {@code failure} is a RuntimeException or an Error, which every call may throw. */
        FailingStore(Store store, Throwable failure, StoreClose close) {
            super(store);
            this.failure = failure;
            this.close = close;
        }

        void failReads() {
            failingReads = true;
        }

        void failWrites() {
            failingWrites = true;
        }

        @Override
        public void close() {
            super.close();
            closed = true;
            switch (close) {
                case FAILS -> throw new IllegalStateException("the store's close failed once RocksDB was closed");
                case RETHROWS_THE_FAILURE -> throwFailure();
                case CLOSES -> {
                }
            }
        }

        @Override
        public Optional<byte[]> get(byte[] key) {
            if (failingReads) {
                throwFailure();
            }
            return super.get(key);
        }

        @Override
        public CompletableFuture<Void> submit(WriteBatch batch) {
            if (failingWrites) {
                throwFailure();
            }
            return super.submit(batch);
        }

        private void throwFailure() {
            if (failure instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) failure;
        }
    }
}
