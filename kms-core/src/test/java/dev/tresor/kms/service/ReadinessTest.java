package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Administration#readiness} reports through the seal's life cycle and after a failed store commit. */
class ReadinessTest {
    @TempDir
    Path dataDir;

    @Test
    void followsTheSealFromUninitialisedToReadyToSealed() {
        try (KmsCore core = KmsCore.open(options(false))) {
            Administration admin = core.administration();
            assertEquals(Readiness.NOT_INITIALISED, admin.readiness());
            admin.initialize(1, 1);
            assertEquals(Readiness.READY, admin.readiness());
            assertTrue(core.ready());
            admin.seal(TestCore.OPERATOR);
            assertEquals(Readiness.SEALED, admin.readiness());
            assertFalse(core.ready());
        }
    }

    @Test
    void aFailedStoreCommitMakesTheCoreUnreadyThoughItStaysUnsealed() {
        BreakableRocksDb breakable = new BreakableRocksDb(KmsCore.storeDirectory(dataDir));
        try (KmsCore core = KmsCore.open(options(true), breakable.store())) {
            Administration admin = core.administration();
            assertEquals(Readiness.READY, admin.readiness());

            breakable.failCommits();
            KmsError refused = assertThrows(KmsError.class, () -> admin.createProject(TestCore.OPERATOR,
                    Optional.empty(), OptionalLong.empty(), KmipLegacy.NONE));
            assertEquals(ErrorCode.INTERNAL, refused.code());

            assertEquals(Readiness.STORE_FAILED, admin.readiness());
            assertFalse(admin.sealStatus().sealed());
            assertFalse(core.ready());
        }
    }

    private KmsCore.Options options(boolean devSeal) {
        return new KmsCore.Options(Optional.of(dataDir), devSeal, MovableClock.at("2026-01-01T00:00:00Z"),
                Duration.ofDays(30), Duration.ofHours(24), 1000, Optional.empty());
    }
}
