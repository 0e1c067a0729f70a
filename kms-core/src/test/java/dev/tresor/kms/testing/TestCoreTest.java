package dev.tresor.kms.testing;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review s11 n2: a TestCore whose store wrapper fails closes the RocksDB store it opened, whose lock
 * on the data directory would otherwise make every later open of it in the same JVM fail. (Once the
 * core has the store, the core closes it when opening fails: KmsCoreCloseTest.)
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

        try (TestCore again = TestCore.open(dataDir)) {
            assertTrue(again.core().ready());
        }
    }
}
