package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.Revocation;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KMIP Revoke of a key revokes its core version in the one write that saves the object's new
 * state: a save the core refuses leaves the version as usable as the object still says it is, and
 * a Revoke that succeeds is audited in that one write.
 */
class KmipRevokeTest {
    private static final int ACTIVE = 2;
    private static final int DEACTIVATED = 3;
    private static final int DESTROYED = 5;
    private static final int UNSPECIFIED = 1;
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");
    /** Custom attribute values, largest first: filling with them leaves no room for the smallest. */
    private static final int[] PAD_SIZES = {4000, 1000, 250, 60, 16, 1};

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private KmipTestServer server;
    /** The caller REST would make for the project's admin. */
    private Caller restCaller;

    @BeforeEach
    void shareTheServer() {
        server = LOOPBACK.server();
        restCaller = TestCore.caller(server.tenant, Role.ADMIN);
    }

    @Test
    void aRevokeWhoseSaveTheCoreRefusesLeavesTheVersionAndTheObjectActive() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.createAes256(activeSince());
            fill(kmip, uid);

            Ttlv refused = kmip.item(Operation.REVOKE, Kmip.uid(uid), revocation());

            assertNotEquals(0, Requests.status(refused), "the Revoke of a full object was saved");
            String message = refused.require(Tag.RESULT_MESSAGE).asText();
            AuditRecord call = last(audit().stream().filter(r -> r.operation().equals("kmip.revoke")).toList());
            List<String> ops = List.of(call.details().get("ops").split(","));
            assertAll(
                    () -> assertTrue(message.contains("at most 64 attributes"), message),
                    () -> assertEquals(VersionState.ACTIVE, coreVersion(uid).state(), "the core version"),
                    () -> assertEquals(Optional.empty(), coreVersion(uid).revocation(), "the core version"),
                    () -> assertEquals(ACTIVE, state(kmip, uid), "the KMIP object"),
                    () -> assertEquals(List.of(), records(audit(), uid, "version.revoke")),
                    () -> assertEquals("INVALID_ARGUMENT", call.result()),
                    () -> assertTrue(ops.contains("key.set-attributes:INVALID_ARGUMENT")
                            && ops.stream().noneMatch(op -> op.startsWith("version.revoke")), "ops: " + ops));

            kmip.ok(Operation.DELETE_ATTRIBUTE, Kmip.uid(uid), Ttlv.text(Tag.ATTRIBUTE_NAME, "x-pad-0"));
            kmip.ok(Operation.REVOKE, Kmip.uid(uid), revocation());
            assertEquals(VersionState.DISABLED, coreVersion(uid).state());
            assertEquals(Optional.of(Revocation.REVOKED), coreVersion(uid).revocation());
            assertEquals(DEACTIVATED, state(kmip, uid));
            assertEquals(1, records(audit(), uid, "version.revoke").size(), "one revocation, by the Revoke that was saved");
            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            assertEquals(DESTROYED, state(kmip, uid));
        }
    }

    @Test
    void aRevokeIsAuditedAsTheSaveAndTheRevocationInOneWrite() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.createAes256(activeSince());

            kmip.ok(Operation.REVOKE, Kmip.uid(uid), revocation());

            List<AuditRecord> all = audit();
            AuditRecord revoke = last(records(all, uid, "version.revoke"));
            AuditRecord save = last(records(all, uid, "key.set-attributes"));
            AuditRecord call = last(all.stream().filter(r -> r.operation().equals("kmip.revoke")).toList());
            assertAll(
                    () -> assertEquals("ok", revoke.result()),
                    () -> assertEquals("keys/" + uid + "/versions/1", revoke.resource()),
                    () -> assertEquals("ok", save.result()),
                    () -> assertEquals("ok", call.result()),
                    () -> assertEquals(List.of(call.sequence(), call.sequence() + 1, call.sequence() + 2),
                            List.of(call.sequence(), save.sequence(), revoke.sequence()),
                            "the call, its save and its revocation are chained together, in that order"),
                    () -> assertEquals(all.get(all.size() - 1), revoke, "nothing written after the Revoke's write"));
        }
    }

    @Test
    void aRevokeLeavesTheRevocationToTheCoreAndRecordsOneOnlyWhenItRevokedTheVersion() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String revokedTwice = kmip.createAes256(activeSince());
            String disabledOverRest = kmip.createAes256(activeSince());
            server.core.core().keyManagement().disableVersion(restCaller, KeyRef.byId(disabledOverRest).version(1));

            kmip.ok(Operation.REVOKE, Kmip.uid(revokedTwice), revocation());
            kmip.ok(Operation.REVOKE, Kmip.uid(revokedTwice), revocation());
            kmip.ok(Operation.REVOKE, Kmip.uid(disabledOverRest), revocation());

            List<AuditRecord> all = audit();
            List<String> ops = all.stream().filter(r -> r.operation().equals("kmip.revoke"))
                    .flatMap(r -> List.of(r.details().get("ops").split(",")).stream()).toList();
            assertAll(
                    () -> assertEquals(1, records(all, revokedTwice, "version.revoke").size(),
                            "a second Revoke recorded a revocation it did not make"),
                    () -> assertEquals(List.of(), records(all, disabledOverRest, "version.revoke")),
                    () -> assertEquals(DEACTIVATED, state(kmip, disabledOverRest)),
                    () -> assertEquals(VersionState.DISABLED, coreVersion(disabledOverRest).state()),
                    () -> assertEquals(Optional.empty(), coreVersion(disabledOverRest).revocation(),
                            "a Revoke made what REST disabled exportable"),
                    () -> assertTrue(ops.stream().noneMatch(op -> op.startsWith("version.get")),
                            "a Revoke read the version outside the core's save: " + ops));
        }
    }

    /** Adds custom attributes, largest first, until the key's attribute entries are full. */
    private static void fill(Kmip kmip, String uid) throws IOException {
        int added = 0;
        for (int size : PAD_SIZES) {
            while (true) {
                Ttlv item = kmip.item(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), Ttlv.structure(Tag.ATTRIBUTE,
                        Ttlv.text(Tag.ATTRIBUTE_NAME, "x-pad-" + added), Ttlv.text(Tag.ATTRIBUTE_VALUE, "x".repeat(size))));
                if (Requests.status(item) != 0) {
                    String message = item.require(Tag.RESULT_MESSAGE).asText();
                    assertTrue(message.contains("at most 64 attributes"), message);
                    break;
                }
                added++;
            }
        }
    }

    private KeyVersion coreVersion(String uid) {
        return server.core.core().keyManagement().getVersion(restCaller, KeyRef.byId(uid).version(1));
    }

    private List<AuditRecord> audit() {
        List<AuditRecord> records = server.core.core().keyManagement().exportAudit(restCaller, Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        return records;
    }

    /** The records of {@code operation} on the key of {@code uid} or one of its versions. */
    private static List<AuditRecord> records(List<AuditRecord> audit, String uid, String operation) {
        return audit.stream().filter(r -> r.operation().equals(operation))
                .filter(r -> r.resource().startsWith("keys/" + uid)).toList();
    }

    private static AuditRecord last(List<AuditRecord> records) {
        assertTrue(!records.isEmpty(), "no such record");
        return records.get(records.size() - 1);
    }

    private Ttlv activeSince() {
        return Ttlv.dateTime(Tag.ACTIVATION_DATE, server.core.clock().instant().minusSeconds(5));
    }

    private static Ttlv revocation() {
        return Ttlv.structure(Tag.REVOCATION_REASON, Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, UNSPECIFIED));
    }

    private static int state(Kmip kmip, String uid) throws IOException {
        return kmip.namedAttribute(uid, "State").orElseThrow().asEnum();
    }
}
