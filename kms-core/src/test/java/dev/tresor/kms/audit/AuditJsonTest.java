package dev.tresor.kms.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stored form of a record: written by hand, byte for byte what Jackson wrote before, and read back whole. */
class AuditJsonTest {
    private static final String AWKWARD = "q\"b\\s/\b\t\n\f\r\u0000\u001f\u007f é ✓ 😀";

    private static final List<AuditRecord> RECORDS = List.of(
            AuditRecord.chain(1, new AuditEvent(Instant.parse("2026-11-23T10:00:00Z"), "token:abc", "p/eu01",
                    "key.create", "keyrings/r/keys/k", AuditEvent.OK, Map.of("keyType", "aes-256")),
                    AuditRecord.GENESIS_HASH),
            AuditRecord.chain(2, new AuditEvent(Instant.parse("2026-11-23T10:00:00.000000001Z"), AWKWARD, "p/eu01",
                    "kmip.encrypt", AWKWARD, "NOT_FOUND", Map.of("ops", AWKWARD, AWKWARD, "v", "attestation", "snp")),
                    "ab".repeat(32)),
            AuditRecord.chain(3, new AuditEvent(Instant.parse("2026-11-23T10:00:00.120Z"), "operator:test", "-",
                    "seal.seal", "", AuditEvent.OK, Map.of()), "cd".repeat(32)));

    @Test
    void theStoredFormIsWhatJacksonWrites() throws Exception {
        ObjectMapper jackson = JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        for (AuditRecord record : RECORDS) {
            assertEquals(new String(jackson.writeValueAsBytes(record), UTF_8), new String(AuditJson.encode(record), UTF_8));
        }
    }

    @Test
    void timesAreWrittenAsInstantWritesThem() {
        List<Instant> times = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59.5Z"), Instant.parse("2026-02-28T07:08:09.010Z"),
                Instant.parse("2026-11-24T12:00:00.000100Z"), Instant.parse("2024-02-29T23:59:59.000000007Z"),
                Instant.MIN, Instant.MAX));
        Random random = new Random(20261124);
        for (int i = 0; i < 10_000; i++) {
            long nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000L;
                case 2 -> random.nextInt(1_000_000) * 1_000L;
                default -> random.nextInt(1_000_000_000);
            };
            times.add(Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L), nanos));
        }
        for (Instant time : times) {
            StringBuilder written = new StringBuilder();
            AuditJson.appendTime(written, time);
            assertEquals(time.toString(), written.toString());
        }
    }

    @Test
    void aStoredRecordReadsBackWholeAndItsHashStillHolds() {
        for (AuditRecord record : RECORDS) {
            AuditRecord read = AuditJson.decode(AuditJson.encode(record));
            assertEquals(record, read);
            assertEquals(record.hash(), read.computeHash());
        }
        assertInstanceOf(AuditVerifier.Intact.class,
                AuditVerifier.verify(List.of(AuditJson.decode(AuditJson.encode(RECORDS.get(0))))));
    }
}
