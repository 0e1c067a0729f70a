package dev.tresor.kms.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit of audit records fails inside RocksDB (a transient fault) while more records are
 * already chained on top of them: none of those reaches the disk, the store writes nothing more until it is reopened,
 * and the chain on disk then continues from its real end, intact, without a sequence number
 * given twice or a record overwritten.
 */
class AuditChainAfterFailedCommitTest {
    private static final String TENANT = "p1/eu01";
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    Path dataDir;

    private Path storeDir() {
        return dataDir.resolve("store");
    }

    @Test
    void recordsChainedOnAFailedRecordNeverReachTheDiskAndTheChainContinuesFromItsRealEnd()
            throws InterruptedException {
        BreakableRocksDb breakable = new BreakableRocksDb(storeDir());
        try (RocksDbStore store = breakable.store()) {
            AuditLog log = new AuditLog(SealManager.openDev(store, dataDir).barrierStore());
            log.record(AuditLogTest.event(TENANT, 0, "key.create"));

            CountDownLatch release = new CountDownLatch(1);
            BreakableRocksDb.holdCommitter(store, release);
            // The first batch of the failing group; when its failure arrives (on the committer), the
            // fault has passed, the failed encrypt's record is still the chain's end in memory, and
            // the sign call chains on it.
            CompletableFuture<CompletableFuture<Void>> signed = store.submit(new WriteBatch()
                            .put("unrelated".getBytes(UTF_8), new byte[1]))
                    .handle((durable, failure) -> {
                        breakable.healCommits();
                        return log.completeAsync(pending(2, "kmip.sign"));
                    });
            CompletableFuture<Void> encrypted = log.completeAsync(pending(1, "kmip.encrypt"));
            breakable.failCommits();
            release.countDown();

            assertStoreFailed(assertThrows(KmsError.class, () -> Store.await(encrypted)));
            assertStoreFailed(assertThrows(KmsError.class, () -> Store.await(signed.join())));
            assertStoreFailed(assertThrows(KmsError.class, () -> log.record(AuditLogTest.event(TENANT, 3, "key.rotate"))));
        }
        try (RocksDbStore reopened = RocksDbStore.open(storeDir())) {
            AuditLog log = new AuditLog(SealManager.openDev(reopened, dataDir).barrierStore());
            log.record(AuditLogTest.event(TENANT, 4, "key.rotate"));
            List<AuditRecord> records = log.export(TENANT, Instant.EPOCH, FOREVER);
            assertEquals(List.of("1 key.create", "2 key.rotate"),
                    records.stream().map(r -> r.sequence() + " " + r.operation()).toList());
            assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        }
    }

    private static PendingAudit pending(int minute, String operation) {
        return new PendingAudit(AuditLogTest.event(TENANT, minute, operation));
    }

    /** The audit log's own error, caused by the store's fail-stop. */
    private static void assertStoreFailed(KmsError e) {
        assertEquals(ErrorCode.INTERNAL, e.code());
        Throwable cause = e.getCause();
        assertTrue(cause != null && cause.getMessage().startsWith("store failed: ")
                && cause.getMessage().endsWith("; restart the server"), String.valueOf(cause));
    }
}
