package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The one audit record of each KMIP batch item, read back from the audit export of a real server
 * after real TLS exchanges: its result is the answer the client got, whatever the handler probed
 * on the way, and its {@code ops} detail names the core operations it took.
 */
class KmipAuditTest {
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int AES = 0x03;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int WRAP_KEY = 0x10;
    private static final int ENCRYPT = 0x01;
    private static final int NIST_KEY_WRAP = 0x0D;
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static String activeAes(Kmip kmip) throws Exception {
        String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT)))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
        kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
        return uid;
    }

    /** The tenant's last record of {@code operation}, on a chain that verifies. */
    private static AuditRecord lastRecord(String operation) {
        KmipTestServer server = LOOPBACK.server();
        List<AuditRecord> records = server.core.core().keyManagement()
                .exportAudit(TestCore.caller(server.tenant, Role.ADMIN), Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        return records.stream().filter(r -> r.operation().equals(operation)).reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("no " + operation + " record"));
    }

    @Test
    void aDecryptTheFrontEndRefusesIsRecordedWithItsFailure() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = activeAes(kmip);
            int reason = kmip.refused(Operation.DECRYPT, Kmip.uid(uid),
                    Ttlv.bytes(Tag.DATA, Bytes.of("no IV sent with me".getBytes(StandardCharsets.US_ASCII))));
            assertEquals(ResultReason.INVALID_MESSAGE.code(), reason, "Decrypt in GCM without the IV is refused");
            assertEquals("INVALID_ARGUMENT", lastRecord("kmip.decrypt").result());
        }
    }

    @Test
    void aCryptoUsersGetAttributesReadsTheKeptDigestWithoutTouchingTheMaterial() throws Exception {
        String uid;
        try (KmipTestClient admin = LOOPBACK.server().client()) {
            uid = activeAes(new Kmip(admin, ProtocolVersion.V2_1));
        }
        try (KmipTestClient cryptoUser = LOOPBACK.server().client(Role.CRYPTO_USER)) {
            Ttlv answer = new Kmip(cryptoUser, ProtocolVersion.V2_1).ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid));
            answer.require(Tag.ATTRIBUTES).require(Tag.DIGEST);
        }
        AuditRecord record = lastRecord("kmip.get-attributes");
        assertEquals("ok", record.result());
        List<String> ops = List.of(record.details().get("ops").split(","));
        assertTrue(ops.contains("version.get") && ops.stream().noneMatch(op -> op.startsWith("key.export")),
                "ops: " + ops);
    }

    private static Ttlv wrappedUnder(String wrapper) {
        return Ttlv.structure(Tag.KEY_WRAPPING_SPECIFICATION, Ttlv.enumeration(Tag.WRAPPING_METHOD, ENCRYPT),
                Ttlv.structure(Tag.ENCRYPTION_KEY_INFORMATION, Kmip.uid(wrapper), Ttlv.structure(
                        Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, NIST_KEY_WRAP))));
    }

    @Test
    void aWrappedGetIsOneRecordNamingTheKeyAndItsWrappingKey() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = activeAes(kmip);
            String wrapper = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY),
                    kmip.attributes(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                            Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                            Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, WRAP_KEY)))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(wrapper));

            kmip.ok(Operation.GET, Kmip.uid(key), wrappedUnder(wrapper));
            AuditRecord record = lastRecord("kmip.get");
            assertEquals("ok", record.result());
            assertEquals("keys/" + key + "/versions/1 wrapped-by keys/" + wrapper + "/versions/1", record.resource());
            List<String> ops = List.of(record.details().get("ops").split(","));
            assertTrue(ops.contains("key.export-wrapped") && !ops.contains("key.export"), "ops: " + ops);

            kmip.refused(Operation.GET, Kmip.uid(wrapper), wrappedUnder(key));
            AuditRecord refused = lastRecord("kmip.get");
            assertEquals("PERMISSION_DENIED", refused.result(), "a key without Wrap Key usage wraps nothing");
            assertTrue(!refused.details().get("ops").contains("export"), "nothing exported: " + refused.details());
        }
    }
}
