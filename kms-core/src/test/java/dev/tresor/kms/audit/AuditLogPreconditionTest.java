package dev.tresor.kms.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.RocksDbStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AuditLog#recordIf} on real RocksDB: a write whose precondition fails writes nothing and
 * leaves no hole in the chain, and the writes other callers left to it meanwhile still go ahead.
 */
class AuditLogPreconditionTest {
    private static final String TENANT = "p1/eu01";
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    Path dataDir;

    private RocksDbStore store;
    private BarrierStore barrier;
    private AuditLog log;

    @BeforeEach
    void open() {
        store = RocksDbStore.open(dataDir.resolve("store"));
        barrier = SealManager.openDev(store, dataDir).barrierStore();
        log = new AuditLog(barrier);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<Long> sequences() {
        List<AuditRecord> records = log.export(TENANT, Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        return records.stream().map(AuditRecord::sequence).toList();
    }

    @Test
    void aHoldingPreconditionWritesTheChangeWithItsRecord() {
        log.recordIf(AuditLogTest.event(TENANT, 0, "undo"), barrier.batch().put("t/x", "v".getBytes(UTF_8)), () -> {
        });
        assertArrayEquals("v".getBytes(UTF_8), barrier.get("t/x").orElseThrow());
        assertEquals(List.of(1L), sequences());
    }

    @Test
    void aFailedPreconditionWritesNothingAndLeavesNoHole() {
        log.record(AuditLogTest.event(TENANT, 0, "key.create"));
        KmsError refused = KmsError.precondition("changed meanwhile");
        assertSame(refused, assertThrows(KmsError.class, () -> log.recordIf(AuditLogTest.event(TENANT, 1, "undo"),
                barrier.batch().put("t/x", "v".getBytes(UTF_8)), () -> {
                    throw refused;
                })));
        log.record(AuditLogTest.event(TENANT, 2, "key.get"));
        assertEquals(Optional.empty(), barrier.get("t/x"));
        assertEquals(List.of(1L, 2L), sequences());
    }

    @Test
    void aWriteQueuedWhileThePreconditionRanIsWrittenEvenWhenItFails() throws Exception {
        Thread other = new Thread(() -> log.record(AuditLogTest.event(TENANT, 1, "key.get")));
        assertThrows(KmsError.class, () -> log.recordIf(AuditLogTest.event(TENANT, 0, "undo"), barrier.batch(), () -> {
            other.start();
            // the other writer finds the chain's lock taken, leaves its write to the holder and waits
            while (other.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            throw KmsError.precondition("changed meanwhile");
        }));
        other.join(Duration.ofSeconds(30).toMillis());
        assertFalse(other.isAlive(), "the queued write was not left behind");
        assertEquals(List.of(1L), sequences());
    }
}
