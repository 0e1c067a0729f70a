package dev.tresor.kms.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123456789Z");
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    Path dataDir;

    static AuditEvent event(String tenant, int minute, String operation) {
        return new AuditEvent(T0.plus(Duration.ofMinutes(minute)), "token:t1", tenant, operation,
                "keyrings/r/keys/k", AuditEvent.OK, Map.of("keyType", "aes-256"));
    }

    private static BarrierStore unsealedDev(Store store, Path dataDir) {
        return SealManager.openDev(store, dataDir).barrierStore();
    }

    @Test
    void eachTenantHasItsOwnChainCountingFromOne() {
        try (Store store = new MemoryStore()) {
            AuditLog log = new AuditLog(unsealedDev(store, dataDir));
            log.record(event("p1/eu01", 0, "key.create"));
            log.record(event("p2/eu01", 1, "key.create"));
            log.record(event("p1/eu01", 2, "key.encrypt"));
            log.record(event("p1/eu01", 3, "key.decrypt"));

            List<AuditRecord> p1 = log.export("p1/eu01", Instant.EPOCH, FOREVER);
            assertEquals(List.of(1L, 2L, 3L), p1.stream().map(AuditRecord::sequence).toList());
            assertEquals(AuditRecord.GENESIS_HASH, p1.get(0).previousHash());
            assertEquals(p1.get(0).hash(), p1.get(1).previousHash());
            assertEquals(event("p1/eu01", 2, "key.encrypt"), p1.get(1).event());
            assertEquals(new AuditVerifier.Intact(3, 3, p1.get(2).hash()), AuditVerifier.verify(p1));

            List<AuditRecord> p2 = log.export("p2/eu01", Instant.EPOCH, FOREVER);
            assertEquals(1, p2.size());
            assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(p2));
        }
    }

    @Test
    void aMutationWithoutAnEventOfItsOwnIsRefusedAndWritesNothing() {
        try (Store store = new MemoryStore()) {
            BarrierStore data = unsealedDev(store, dataDir);
            AuditLog log = new AuditLog(data);
            PendingAudit pending = new PendingAudit(event("p1/eu01", 0, "kmip.revoke"));

            IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                    () -> log.record(List.of(), data.batch().put("keys/a", new byte[] {1})));
            IllegalArgumentException admitted = assertThrows(IllegalArgumentException.class,
                    () -> log.record(pending, List.of(), data.batch().put("keys/b", new byte[] {1})));

            assertEquals("a mutation is recorded with at least one event of its own", alone.getMessage());
            assertEquals(alone.getMessage(), admitted.getMessage());
            assertEquals(Optional.empty(), data.get("keys/a"));
            assertEquals(Optional.empty(), data.get("keys/b"));
            assertEquals(List.of(), log.export("p1/eu01", Instant.EPOCH, FOREVER));
            assertFalse(pending.isEmpty(), "the call's own record is still held");
        }
    }

    @Test
    void recordsAreStoredThroughTheBarrierUnderTheirSequence() {
        try (Store store = new MemoryStore()) {
            BarrierStore data = unsealedDev(store, dataDir);
            new AuditLog(data).record(event("p1/eu01", 0, "key.create"));
            byte[] raw = data.rawValue("audit/p1/eu01/00000000000000000001");
            assertFalse(new String(raw, UTF_8).contains("key.create"), "the stored record is encrypted");
            assertTrue(data.get("audit/p1/eu01/00000000000000000001").isPresent());
        }
    }

    @Test
    void mutationRecordIsWrittenInTheSameBatchAsTheChange() {
        try (Store store = new MemoryStore()) {
            BarrierStore data = unsealedDev(store, dataDir);
            AuditLog log = new AuditLog(data);
            BarrierStore.Batch change = data.batch().put("t/p1/eu01/key/k", "key record".getBytes(UTF_8));
            log.record(event("p1/eu01", 0, "key.create"), change);
            assertArrayEquals("key record".getBytes(UTF_8), data.get("t/p1/eu01/key/k").orElseThrow());
            assertEquals(1, log.export("p1/eu01", Instant.EPOCH, FOREVER).size());
        }
    }

    @Test
    void chainContinuesAfterARestart() {
        Path db = dataDir.resolve("db");
        try (Store store = RocksDbStore.open(db)) {
            AuditLog log = new AuditLog(unsealedDev(store, dataDir));
            log.record(event("p1/eu01", 0, "key.create"));
            log.record(event("p1/eu01", 1, "key.rotate"));
        }
        try (Store store = RocksDbStore.open(db)) {
            AuditLog log = new AuditLog(unsealedDev(store, dataDir));
            log.record(event("p1/eu01", 2, "key.delete"));
            List<AuditRecord> records = log.export("p1/eu01", Instant.EPOCH, FOREVER);
            assertEquals(3, records.get(2).sequence());
            assertEquals(new AuditVerifier.Intact(3, 3, records.get(2).hash()), AuditVerifier.verify(records));
        }
    }

    @Test
    void concurrentCallersOfOneTenantGetOneUnbrokenDurableChain() throws Exception {
        Path db = dataDir.resolve("db");
        int threads = 8;
        int perThread = 40;
        try (Store store = RocksDbStore.open(db)) {
            AuditLog log = new AuditLog(unsealedDev(store, dataDir));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> callers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    callers.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            log.record(event(i % 2 == 0 ? "p1/eu01" : "-", thread * perThread + i, "key.encrypt"));
                        }
                    }));
                }
                for (Future<?> caller : callers) {
                    caller.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        try (Store store = RocksDbStore.open(db)) {
            AuditLog log = new AuditLog(unsealedDev(store, dataDir));
            int perTenant = threads * perThread / 2;
            for (String tenant : List.of("p1/eu01", "-")) {
                List<AuditRecord> records = log.export(tenant, Instant.EPOCH, FOREVER);
                assertEquals(LongStream.rangeClosed(1, perTenant).boxed().toList(),
                        records.stream().map(AuditRecord::sequence).toList());
                assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
            }
        }
    }

    @Test
    void aRecordThatCannotBeWrittenFailsTheCall() {
        Store store = RocksDbStore.open(dataDir.resolve("db"));
        AuditLog log = new AuditLog(unsealedDev(store, dataDir));
        log.record(event("p1/eu01", 0, "key.create"));
        store.close();
        KmsError e = assertThrows(KmsError.class, () -> log.record(event("p1/eu01", 1, "key.encrypt")));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("audit log unavailable", e.getMessage());
    }

    @Test
    void aCallsRecordStaysHeldWhenItsChangeCannotBeWrittenAndIsWrittenOnItsOwn() {
        try (Store store = new MemoryStore()) {
            BarrierStore data = unsealedDev(store, dataDir);
            AuditLog log = new AuditLog(data);
            BarrierStore.Batch spent = data.batch().put("t/p1/eu01/key/k", "key record".getBytes(UTF_8));
            data.write(spent);
            PendingAudit pending = new PendingAudit(event("p1/eu01", 0, "kmip.create"));
            KmsError e = assertThrows(KmsError.class,
                    () -> log.record(pending, List.of(event("p1/eu01", 0, "key.create")), spent));
            assertEquals(ErrorCode.INTERNAL, e.code());
            pending.fail(ErrorCode.INTERNAL);
            log.complete(pending);
            List<AuditRecord> records = log.export("p1/eu01", Instant.EPOCH, FOREVER);
            assertEquals(List.of("kmip.create INTERNAL"),
                    records.stream().map(r -> r.operation() + " " + r.result()).toList());
            assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        }
    }

    @Test
    void whileSealedRecordingFailsWithSealed() {
        try (Store store = new MemoryStore()) {
            SealManager seal = SealManager.openDev(store, dataDir);
            AuditLog log = new AuditLog(seal.barrierStore());
            log.record(event("p1/eu01", 0, "key.create"));
            seal.seal();
            KmsError e = assertThrows(KmsError.class, () -> log.record(event("p1/eu01", 1, "key.encrypt")));
            assertEquals(ErrorCode.SEALED, e.code());
        }
    }

    @Test
    void exportKeepsTheTimeWindowFromInclusiveToExclusive() {
        try (Store store = new MemoryStore()) {
            AuditLog log = new AuditLog(unsealedDev(store, dataDir));
            for (int minute = 0; minute < 5; minute++) {
                log.record(event("p1/eu01", minute, "key.encrypt"));
            }
            List<AuditRecord> window = log.export("p1/eu01", T0.plus(Duration.ofMinutes(1)), T0.plus(Duration.ofMinutes(3)));
            assertEquals(List.of(2L, 3L), window.stream().map(AuditRecord::sequence).toList());
            assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(window));
            assertEquals(List.of(), log.export("p2/eu01", Instant.EPOCH, FOREVER));
            KmsError backwards = assertThrows(KmsError.class, () -> log.export("p1/eu01", FOREVER, Instant.EPOCH));
            assertEquals(ErrorCode.INVALID_ARGUMENT, backwards.code());
        }
    }

    @Test
    void jsonExportRoundTripsWithFullTimePrecision() {
        try (Store store = new MemoryStore()) {
            AuditLog log = new AuditLog(unsealedDev(store, dataDir));
            log.record(event("p1/eu01", 0, "key.create"));
            log.record(new AuditEvent(T0, "cert:ab12", "p1/eu01", "key.decrypt", "", "PERMISSION_DENIED", Map.of()));
            String json = log.exportJson("p1/eu01", Instant.EPOCH, FOREVER);
            assertTrue(json.contains("\"time\" : \"2026-11-23T10:00:00.123456789Z\""), json);
            assertTrue(json.contains("\"result\" : \"PERMISSION_DENIED\""), json);
            assertEquals(log.export("p1/eu01", Instant.EPOCH, FOREVER), AuditJson.read(json));
            assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verifyJson(json));
        }
    }

    @Test
    void eventsRefuseUnknownResultsBadTenantsAndOversizedDetails() {
        assertThrows(IllegalArgumentException.class,
                () -> new AuditEvent(T0, "p", "p1/eu01", "op", "", "fine", Map.of()));
        for (String tenant : List.of("", "p1", "p1/", "/eu01", "a/b/c")) {
            assertThrows(IllegalArgumentException.class,
                    () -> new AuditEvent(T0, "p", tenant, "op", "", AuditEvent.OK, Map.of()), tenant);
        }
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= AuditEvent.MAX_DETAILS; i++) {
            many.put("k" + i, "v");
        }
        assertThrows(IllegalArgumentException.class,
                () -> new AuditEvent(T0, "p", "-", "op", "", AuditEvent.OK, many));
        assertThrows(IllegalArgumentException.class, () -> new AuditEvent(T0, "p", "-", "op", "", AuditEvent.OK,
                Map.of("k", "v".repeat(AuditEvent.MAX_DETAIL_VALUE + 1))));
        assertEquals(Optional.of("v"), Optional.ofNullable(
                new AuditEvent(T0, "p", "-", "op", "", "NOT_FOUND", Map.of("k", "v")).details().get("k")));
    }
}
