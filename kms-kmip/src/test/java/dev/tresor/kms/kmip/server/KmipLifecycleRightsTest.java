package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Activate, Revoke and Destroy by a role that may not change objects (crypto-user, auditor): the
 * answer is Permission Denied, whatever the object's state, never what that state would refuse.
 */
class KmipLifecycleRightsTest {
    private static final int ACTIVE = 2;
    private static final int DESTROYED = 5;
    private static final int SECRET_DATA = 0x07;
    private static final int UNSPECIFIED = 1;
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"CRYPTO_USER", "AUDITOR"})
    void aRoleThatMayNotChangeObjectsIsDeniedWhateverTheObjectsState(Role role) throws Exception {
        String active;
        String destroyed;
        String secret;
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip admin = new Kmip(client, ProtocolVersion.V2_1);
            active = admin.createAes256(activeSince());
            destroyed = admin.createAes256();
            admin.ok(Operation.DESTROY, Kmip.uid(destroyed));
            secret = admin.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, SECRET_DATA),
                    admin.attributes(activeSince()), secretData()).require(Tag.UNIQUE_IDENTIFIER).asText();
        }
        try (KmipTestClient client = LOOPBACK.server().client(role)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String denied = "role " + role.wireName() + " may not key.set-attributes";

            assertAll(
                    () -> assertEquals(denied, refusal(kmip, Operation.ACTIVATE, active), "Activate of an Active key"),
                    () -> assertEquals(denied, refusal(kmip, Operation.DESTROY, active), "Destroy of an Active key"),
                    () -> assertEquals(denied, refusal(kmip, Operation.REVOKE, destroyed, revocation()),
                            "Revoke of a destroyed key"),
                    () -> assertEquals(denied, refusal(kmip, Operation.DESTROY, destroyed), "Destroy of a destroyed key"),
                    // the version's revocation runs inside the save, after its role check
                    () -> assertEquals(denied, refusal(kmip, Operation.REVOKE, active, revocation()),
                            "Revoke of an Active key"),
                    () -> assertEquals("role " + role.wireName() + " may not object.set-attributes",
                            refusal(kmip, Operation.DESTROY, secret), "Destroy of Active secret data"));
        }
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip admin = new Kmip(client, ProtocolVersion.V1_4);
            assertEquals(ACTIVE, state(admin, active));
            assertEquals(DESTROYED, state(admin, destroyed));
            assertEquals(ACTIVE, state(admin, secret));
        }
        KmipTestServer server = LOOPBACK.server();
        Caller rest = TestCore.caller(server.tenant, Role.ADMIN);
        assertEquals(VersionState.ACTIVE, server.core.core().keyManagement()
                .getVersion(rest, KeyRef.byId(active).version(1)).state(), "the core version of the Active key");
        AuditRecord deniedRevoke = server.core.core().keyManagement().exportAudit(rest, Instant.EPOCH, FOREVER)
                .stream().filter(r -> r.operation().equals("kmip.revoke")).reduce((first, second) -> second)
                .orElseThrow();
        List<String> ops = List.of(deniedRevoke.details().get("ops").split(","));
        assertEquals("PERMISSION_DENIED", deniedRevoke.result());
        assertTrue(ops.contains("key.set-attributes:PERMISSION_DENIED")
                && ops.stream().noneMatch(op -> op.startsWith("version.")), "no version read or revoked: " + ops);
    }

    /** A caller with the right still meets the state's refusal. */
    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"ADMIN", "KEY_ADMIN"})
    void aRoleThatMayChangeObjectsIsToldTheObjectsState(Role role) throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client(role)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String active = kmip.createAes256(activeSince());
            String destroyed = kmip.createAes256();
            kmip.ok(Operation.DESTROY, Kmip.uid(destroyed));

            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(), kmip.refused(Operation.ACTIVATE, Kmip.uid(active)));
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(), kmip.refused(Operation.DESTROY, Kmip.uid(active)));
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(),
                    kmip.refused(Operation.REVOKE, Kmip.uid(destroyed), revocation()));
            assertEquals(ACTIVE, state(new Kmip(client, ProtocolVersion.V1_4), active));
        }
    }

    private static Ttlv activeSince() {
        Instant now = LOOPBACK.server().core.clock().instant();
        return Ttlv.dateTime(Tag.ACTIVATION_DATE, now.minusSeconds(5));
    }

    private static Ttlv secretData() {
        return Ttlv.structure(Tag.SECRET_DATA, Ttlv.enumeration(Tag.SECRET_DATA_TYPE, 1),
                Ttlv.structure(Tag.KEY_BLOCK, Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 2), Ttlv.structure(Tag.KEY_VALUE,
                        Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.wrap(new byte[] {1, 2, 3, 4})))));
    }

    private static Ttlv revocation() {
        return Ttlv.structure(Tag.REVOCATION_REASON, Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, UNSPECIFIED));
    }

    /** The message of a refusal of {@code operation} on {@code uid} that must be Permission Denied. */
    private static String refusal(Kmip kmip, Operation operation, String uid, Ttlv... more) throws IOException {
        Ttlv[] payload = new Ttlv[more.length + 1];
        payload[0] = Kmip.uid(uid);
        System.arraycopy(more, 0, payload, 1, more.length);
        Ttlv item = kmip.item(operation, payload);
        assertEquals(ResultReason.PERMISSION_DENIED.code(), Requests.reason(item),
                () -> item.find(Tag.RESULT_MESSAGE).map(Ttlv::asText).orElse(""));
        return item.require(Tag.RESULT_MESSAGE).asText();
    }

    private static int state(Kmip kmip, String uid) throws IOException {
        return kmip.namedAttribute(uid, "State").orElseThrow().asEnum();
    }
}
