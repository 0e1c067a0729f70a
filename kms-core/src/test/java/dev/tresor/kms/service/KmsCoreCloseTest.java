package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** What {@link KmsCore#close} leaves behind when the seal it runs fails. */
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
        OutOfMemoryError thrown = closeWhileWritesFail(StoreClose.RETHROWS_THE_WRITES_FAILURE);

        assertEquals("the write before sealing ran out of memory", thrown.getMessage());
        assertEquals(0, thrown.getSuppressed().length);
        assertTheDataDirectoryOpensAgain();
    }

    /** Closes a core whose store's writes fail with an Error by then; answers what close threw. */
    private OutOfMemoryError closeWhileWritesFail(StoreClose storeClose) {
        WritesFailingWithAnError store = new WritesFailingWithAnError(
                RocksDbStore.open(KmsCore.storeDirectory(dataDir)), storeClose);
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
        return new KmsCore.Options(Optional.of(dataDir), true, MovableClock.at("2026-01-01T00:00:00Z"),
                Duration.ofDays(30), Duration.ofHours(24), 1000, Optional.empty());
    }

    /** What the store's close does once it closed the real store. */
    private enum StoreClose { CLOSES, FAILS, RETHROWS_THE_WRITES_FAILURE }

    /**
     * A real store whose writes, once told, fail with an Error in the caller's thread, and whose
     * close does as built once it closed the real store.
     */
    private static final class WritesFailingWithAnError extends ForwardingStore {
        private final OutOfMemoryError writeFailure = new OutOfMemoryError("the write before sealing ran out of memory");
        private volatile boolean failing;
        private final StoreClose close;

        WritesFailingWithAnError(Store store, StoreClose close) {
            super(store);
            this.close = close;
        }

        void failWrites() {
            failing = true;
        }

        @Override
        public void close() {
            super.close();
            switch (close) {
                case FAILS -> throw new IllegalStateException("the store's close failed once RocksDB was closed");
                case RETHROWS_THE_WRITES_FAILURE -> throw writeFailure;
                case CLOSES -> {
                }
            }
        }

        @Override
        public CompletableFuture<Void> submit(WriteBatch batch) {
            if (failing) {
                throw writeFailure;
            }
            return super.submit(batch);
        }
    }
}
