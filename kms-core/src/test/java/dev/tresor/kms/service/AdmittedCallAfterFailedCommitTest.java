package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.limit.RateLimits;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An admitted call whose audit batch fails in the store: a failed answer, never its result, nothing on disk. */
class AdmittedCallAfterFailedCommitTest {
    @TempDir
    Path dataDir;

    @Test
    void anAsyncCallWhoseBatchFailsInTheStoreFailsAndNeverGivesItsResult() throws InterruptedException {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        BreakableRocksDb breakable = new BreakableRocksDb(KmsCore.storeDirectory(dataDir));
        TenantId tenant;
        try (RocksDbStore store = breakable.store()) {
            BarrierStore barrier = SealManager.openDev(store, dataDir).barrierStore();
            Projects projects = new Projects(barrier, clock);
            tenant = new TenantId(projects.create(Optional.empty(), OptionalLong.empty(), KmipLegacy.NONE,
                    barrier::write).id(), "eu01");
            CallPipeline pipeline = new CallPipeline(barrier, projects, new RateLimits(), new AuditLog(barrier), clock);

            CountDownLatch release = new CountDownLatch(1);
            BreakableRocksDb.holdCommitter(store, release);
            CompletableFuture<String> answer = pipeline.admittedAsync(TestCore.caller(tenant, Role.ADMIN),
                    "kmip.encrypt", item -> "ciphertext", refusal -> ErrorCode.INTERNAL);
            assertFalse(answer.isDone(), "the answer waits for its record");
            breakable.failCommits();
            release.countDown();

            CompletionException failed = assertThrows(CompletionException.class, answer::join);
            KmsError error = assertInstanceOf(KmsError.class, failed.getCause());
            assertEquals(ErrorCode.INTERNAL, error.code());
            assertTrue(error.getCause().getMessage().startsWith("store failed: "), error.getCause().getMessage());
        }
        try (TestCore reopened = TestCore.open(dataDir, clock)) {
            List<AuditRecord> records = reopened.core().keyManagement()
                    .exportAudit(TestCore.caller(tenant, Role.AUDITOR), Instant.EPOCH, Instant.MAX);
            assertEquals(List.of(), records, "nothing of the call reached the disk");
            assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        }
    }
}
