package dev.tresor.kms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditRecordTest {
    private static final AuditEvent DOCUMENTED = new AuditEvent(Instant.parse("2026-11-23T10:00:00Z"), "token:abc",
            "p/eu01", "key.create", "keyrings/r/keys/k", AuditEvent.OK, Map.of("keyType", "aes-256"));

    @Test
    void hashOfTheExampleInDocsNeverChanges() {
        AuditRecord record = AuditRecord.chain(1, DOCUMENTED, AuditRecord.GENESIS_HASH);
        assertEquals("5f73cfeaf06ca1bceb10a485df0b488dd3b8cc98767a1983bdd339863fa27fb4", record.hash());
    }

    /** Hashes computed by the build before the audit record was sped up (f4e786b): stored chains must still verify. */
    @Test
    void hashesOfRecordsAnEarlierBuildChainedNeverChange() {
        Map<String, String> threeDetails = new HashMap<>();
        threeDetails.put("zeta", "letzte");
        threeDetails.put("alpha", "erste");
        threeDetails.put("mid", "Grüße, 鍵");
        AuditEvent manyDetails = new AuditEvent(Instant.parse("2026-11-24T02:10:00.123456789Z"), "cert:ab12", "p/eu01",
                "key.encrypt", "keyrings/kmip/keys/k9", AuditEvent.OK, threeDetails);
        AuditEvent noDetails = new AuditEvent(Instant.parse("2026-11-24T02:10:00Z"), "system:purge", "p/eu01",
                "key.purge", "", AuditEvent.OK, Map.of());

        AuditRecord chained = AuditRecord.chain(7, manyDetails, "1".repeat(64));
        AuditRecord first = AuditRecord.chain(1, noDetails, AuditRecord.GENESIS_HASH);

        assertEquals("d24eab8ccafe8cfccbdb552e1ec6393234f1806562455f7d9511b9d7b3f3fde6", chained.hash());
        assertEquals(chained.hash(), chained.computeHash());
        assertEquals("b36a729694999918c4f4f773d6774d04c6a9ce6a335dc9cf03bdba57f6162d14", first.hash());
        assertEquals(first.hash(), first.computeHash());
    }

    @Test
    void hashCoversEveryFieldIncludingNanoseconds() {
        String base = AuditRecord.chain(1, DOCUMENTED, AuditRecord.GENESIS_HASH).hash();
        AuditEvent e = DOCUMENTED;
        AuditEvent[] variants = {
            new AuditEvent(e.time().plusNanos(1), e.principal(), e.tenant(), e.operation(), e.resource(), e.result(), e.details()),
            new AuditEvent(e.time(), "token:abd", e.tenant(), e.operation(), e.resource(), e.result(), e.details()),
            new AuditEvent(e.time(), e.principal(), "p/eu02", e.operation(), e.resource(), e.result(), e.details()),
            new AuditEvent(e.time(), e.principal(), e.tenant(), "key.delete", e.resource(), e.result(), e.details()),
            new AuditEvent(e.time(), e.principal(), e.tenant(), e.operation(), "", e.result(), e.details()),
            new AuditEvent(e.time(), e.principal(), e.tenant(), e.operation(), e.resource(), "NOT_FOUND", e.details()),
            new AuditEvent(e.time(), e.principal(), e.tenant(), e.operation(), e.resource(), e.result(), Map.of()),
            new AuditEvent(e.time(), "token:abck", e.tenant(), "ey.create", e.resource(), e.result(), e.details()),
        };
        for (AuditEvent variant : variants) {
            assertNotEquals(base, AuditRecord.chain(1, variant, AuditRecord.GENESIS_HASH).hash(), variant.toString());
        }
        assertNotEquals(base, AuditRecord.chain(2, DOCUMENTED, AuditRecord.GENESIS_HASH).hash());
        assertNotEquals(base, AuditRecord.chain(1, DOCUMENTED, base).hash());
    }
}
