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
        OutOfMemoryError thrown = closeWhileWritesFail(false);

        assertEquals("the write before sealing ran out of memory", thrown.getMessage());
        assertTheDataDirectoryOpensAgain();
    }

    /**
     * Review s9 m7: the seal at close fails and then the store's close fails too; the seal's
     * failure is thrown, not hidden by the close's, which is added to it.
     */
    @Test
    void aStoreCloseFailingAfterAFailedSealDoesNotHideTheSealsFailure() {
        OutOfMemoryError thrown = closeWhileWritesFail(true);

        assertEquals("the write before sealing ran out of memory", thrown.getMessage());
        assertEquals(List.of("the store's close failed once RocksDB was closed"),
                Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertTheDataDirectoryOpensAgain();
    }

    /** Closes a core whose store's writes fail with an Error by then; answers what close threw. */
    private OutOfMemoryError closeWhileWritesFail(boolean storeCloseFails) {
        WritesFailingWithAnError store = new WritesFailingWithAnError(
                RocksDbStore.open(KmsCore.storeDirectory(dataDir)), storeCloseFails);
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

    /**
     * A real store whose writes, once told, fail with an Error in the caller's thread, and whose
     * close, if so built, fails after closing the real store.
     */
    private static final class WritesFailingWithAnError extends ForwardingStore {
        private volatile boolean failing;
        private final boolean closeFails;

        WritesFailingWithAnError(Store store, boolean closeFails) {
            super(store);
            this.closeFails = closeFails;
        }

        void failWrites() {
            failing = true;
        }

        @Override
        public void close() {
            super.close();
            if (closeFails) {
                throw new IllegalStateException("the store's close failed once RocksDB was closed");
            }
        }

        @Override
        public CompletableFuture<Void> submit(WriteBatch batch) {
            if (failing) {
                throw new OutOfMemoryError("the write before sealing ran out of memory");
            }
            return super.submit(batch);
        }
    }
}
