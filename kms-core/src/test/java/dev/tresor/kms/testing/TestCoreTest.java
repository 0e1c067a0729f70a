package dev.tresor.kms.testing;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.store.RocksDbStore;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review s11 n2: a TestCore whose opening fails closes the RocksDB store it opened, whose lock on
 * the data directory would otherwise make every later open of it in the same JVM fail.
 */
class TestCoreTest {
    @TempDir
    Path dataDir;

    @Test
    void aStoreWrapperThatFailsLeavesTheDataDirectoryFreeToOpenAgain() {
        IllegalStateException wrapperFailed = new IllegalStateException("the wrapper failed");

        assertSame(wrapperFailed, assertThrows(IllegalStateException.class,
                () -> TestCore.open(dataDir, store -> {
                    throw wrapperFailed;
                })));

        assertOpensAgain();
    }

    /** An Error in the core's opening: the store is closed (by the core, since review s12, and by TestCore), once or twice. */
    @Test
    void aCoreOpeningThatFailsWithAnErrorLeavesTheDataDirectoryFreeToOpenAgain() {
        OutOfMemoryError readFailed = new OutOfMemoryError("the heap ran out during a read");
        ForwardingStore failingReads = new ForwardingStore(RocksDbStore.open(KmsCore.storeDirectory(dataDir))) {
            @Override
            public Optional<byte[]> get(byte[] key) {
                throw readFailed;
            }
        };

        assertSame(readFailed, assertThrows(OutOfMemoryError.class, () -> TestCore.open(dataDir,
                MovableClock.at("2026-01-01T00:00:00Z"), AttestationOptions.production(), failingReads)));

        assertOpensAgain();
    }

    private void assertOpensAgain() {
        try (TestCore again = TestCore.open(dataDir)) {
            assertTrue(again.core().ready());
        }
    }
}
