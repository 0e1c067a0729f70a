package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Get of a key whose version is not active, over real TLS against a real core: a key revoked over
 * KMIP is handed out (KMIP allows Get of a Deactivated or Compromised key) and the audit says the
 * version was compromised; a key an operator disabled through the core's other front-ends (REST)
 * is not, and a KMIP Revoke afterwards does not make it exportable again.
 */
class KmipGetOfRevokedKeyTest {
    private static final int KEY_COMPROMISE = 2;
    private static final int CESSATION_OF_OPERATION = 6;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static Ttlv revocation(int reason) {
        return Ttlv.structure(Tag.REVOCATION_REASON, Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, reason));
    }

    @Test
    void aKeyDisabledOutsideKmipIsNotHandedOutEvenAfterAKmipRevoke() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = kmip.createAes256();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            KmipTestServer server = LOOPBACK.server();
            server.core.core().keyManagement().disableVersion(TestCore.caller(server.tenant, Role.ADMIN),
                    KeyRef.byId(uid).version(1));

            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(), kmip.refused(Operation.GET, Kmip.uid(uid)));
            kmip.ok(Operation.REVOKE, Kmip.uid(uid), revocation(CESSATION_OF_OPERATION));
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(), kmip.refused(Operation.GET, Kmip.uid(uid)),
                    "a revoke does not turn an operator's disable into an exportable revocation");
        }
    }

    @Test
    void aCompromisedKeyIsHandedOutAndTheAuditSaysItsMaterialLeftCompromised() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = kmip.createAes256();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            kmip.ok(Operation.REVOKE, Kmip.uid(uid), revocation(KEY_COMPROMISE));

            kmip.ok(Operation.GET, Kmip.uid(uid)).require(Tag.SYMMETRIC_KEY);
            List<String> ops = List.of(lastGet().details().get("ops").split(","));
            assertTrue(ops.contains("key.export-compromised"), "ops: " + ops);
        }
    }

    private static AuditRecord lastGet() {
        KmipTestServer server = LOOPBACK.server();
        return server.core.core().keyManagement().exportAudit(TestCore.caller(server.tenant, Role.ADMIN),
                        Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z")).stream()
                .filter(r -> r.operation().equals("kmip.get")).reduce((first, second) -> second).orElseThrow();
    }
}
