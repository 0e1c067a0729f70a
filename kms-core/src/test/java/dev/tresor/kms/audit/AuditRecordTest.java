package dev.tresor.kms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
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
