package dev.tresor.kms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.store.Store;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditVerifierTest {
    private static final String TENANT = "p1/eu01";

    @TempDir
    Path dataDir;

    /** Six genuine records of one tenant, written by the real audit log. */
    private List<AuditRecord> chain;

    @BeforeEach
    void writeChain() {
        try (Store store = new MemoryStore()) {
            AuditLog log = new AuditLog(SealManager.openDev(store, dataDir).barrierStore());
            for (int minute = 0; minute < 6; minute++) {
                log.record(AuditLogTest.event(TENANT, minute, "key.encrypt"));
            }
            log.record(AuditLogTest.event("p2/eu01", 0, "key.create"));
            chain = log.export(TENANT, Instant.EPOCH, Instant.MAX);
        }
    }

    private static AuditRecord withResource(AuditRecord r, String resource) {
        return new AuditRecord(r.sequence(), r.time(), r.principal(), r.tenant(), r.operation(), resource,
                r.result(), r.details(), r.previousHash(), r.hash());
    }

    private static AuditVerifier.Broken assertBroken(long sequence, List<AuditRecord> records) {
        AuditVerifier.Broken broken = assertInstanceOf(AuditVerifier.Broken.class, AuditVerifier.verify(records));
        assertEquals(sequence, broken.sequence(), broken.problem());
        return broken;
    }

    @Test
    void genuineChainAndAnyWindowOfItAreIntact() {
        assertEquals(new AuditVerifier.Intact(6, 6, chain.get(5).hash()), AuditVerifier.verify(chain));
        assertEquals(new AuditVerifier.Intact(3, 5, chain.get(4).hash()), AuditVerifier.verify(chain.subList(2, 5)));
        assertEquals(new AuditVerifier.Intact(0, 0, AuditRecord.GENESIS_HASH), AuditVerifier.verify(List.of()));
    }

    @Test
    void removedRecordIsFound() {
        List<AuditRecord> records = new ArrayList<>(chain);
        records.remove(3);
        assertEquals("record 4 is missing (the next one is 5)", assertBroken(4, records).problem());
    }

    @Test
    void alteredRecordIsFound() {
        List<AuditRecord> records = new ArrayList<>(chain);
        records.set(2, withResource(chain.get(2), "keyrings/r/keys/other"));
        assertEquals("record 3 was altered: its hash does not match its content", assertBroken(3, records).problem());
    }

    @Test
    void alteredRecordWithARecomputedHashBreaksTheNextLink() {
        List<AuditRecord> records = new ArrayList<>(chain);
        AuditRecord forged = AuditRecord.chain(3, withResource(chain.get(2), "keyrings/r/keys/other").event(),
                chain.get(2).previousHash());
        records.set(2, forged);
        assertEquals("record 4 does not link to record 3", assertBroken(4, records).problem());
    }

    @Test
    void reorderedRecordsAreFound() {
        List<AuditRecord> records = new ArrayList<>(chain);
        Collections.swap(records, 1, 2);
        assertEquals("record 2 is missing (the next one is 3)", assertBroken(2, records).problem());
    }

    @Test
    void insertedRecordIsFound() {
        List<AuditRecord> records = new ArrayList<>(chain);
        AuditRecord inserted = AuditRecord.chain(4, AuditLogTest.event(TENANT, 3, "key.decrypt"), chain.get(2).hash());
        records.add(3, inserted);
        assertEquals("expected record 5 but found record 4", assertBroken(5, records).problem());
    }

    @Test
    void recordOfAnotherTenantIsFound() {
        List<AuditRecord> records = new ArrayList<>(chain.subList(0, 2));
        AuditRecord r = chain.get(2);
        records.add(AuditRecord.chain(3, new AuditEvent(r.time(), r.principal(), "p2/eu01", r.operation(),
                r.resource(), r.result(), r.details()), r.previousHash()));
        assertEquals("record 3 belongs to another tenant", assertBroken(3, records).problem());
    }

    @Test
    void chainFromRecordOneMustStartAtGenesis() {
        List<AuditRecord> records = new ArrayList<>(chain);
        records.set(0, AuditRecord.chain(1, chain.get(0).event(), chain.get(5).hash()));
        assertBroken(1, records);
    }

    @Test
    void editedJsonExportIsFoundAndMalformedJsonIsRefused() {
        String json = AuditJson.write(chain);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verifyJson(json));

        String edited = json.replaceFirst("\"principal\" : \"token:t1\"", "\"principal\" : \"token:t2\"");
        assertEquals(1, assertInstanceOf(AuditVerifier.Broken.class, AuditVerifier.verifyJson(edited)).sequence());

        for (String bad : List.of("{}", "[1]", "[{\"sequence\": 1}]", "not json", "[null]",
                json.replaceFirst("\"hash\"", "\"extra\" : 1, \"hash\""))) {
            KmsError e = assertThrows(KmsError.class, () -> AuditVerifier.verifyJson(bad), bad);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        }
    }
}
