package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KMIP Destroy saves the object Destroyed, then makes the core's step (destroy the version, or
 * delete the key) in a write of its own. When the object says Destroyed but the core's step is not
 * done (that write failed, or REST restored the version or key since), a Destroy makes the step
 * again instead of answering that the object is already destroyed, so the material never stays
 * behind an object that says it is gone.
 */
class KmipDestroyAgainTest {
    private static final int DESTROYED = 5;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private KmipTestServer server;
    private KeyManagement rest;
    /** The caller REST would make for the project's admin. */
    private Caller restCaller;

    @BeforeEach
    void shareTheServer() {
        server = LOOPBACK.server();
        rest = server.core.core().keyManagement();
        restCaller = TestCore.caller(server.tenant, Role.ADMIN);
    }

    @Test
    void aDestroyOfADestroyedObjectWhoseVersionIsNotDestroyedDestroysTheVersion() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.createAes256();
            rest.rotateKey(restCaller, KeyRef.byId(uid));
            VersionRef first = KeyRef.byId(uid).version(1);
            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            rest.restoreVersion(restCaller, first);

            kmip.ok(Operation.DESTROY, Kmip.uid(uid));

            assertEquals(VersionState.DESTROYED, rest.getVersion(restCaller, first).state());
            assertEquals(DESTROYED, kmip.namedAttribute(uid, "State").orElseThrow().asEnum());
            assertRefusedAsDestroyed(kmip, uid);
        }
    }

    @Test
    void aDestroyOfADestroyedObjectWhoseKeyIsNotDeletedDeletesTheKey() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.createAes256();
            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            rest.restoreKey(restCaller, KeyRef.byId(uid));

            kmip.ok(Operation.DESTROY, Kmip.uid(uid));

            assertEquals(KeyState.DELETED, rest.getKey(restCaller, KeyRef.byId(uid)).state());
            assertRefusedAsDestroyed(kmip, uid);
        }
    }

    /** Once the core's step is done too, a Destroy is refused as before. */
    private static void assertRefusedAsDestroyed(Kmip kmip, String uid) throws Exception {
        Ttlv again = kmip.item(Operation.DESTROY, Kmip.uid(uid));
        assertNotEquals(0, Requests.status(again), "a Destroy of a destroyed object succeeded");
        String message = again.require(Tag.RESULT_MESSAGE).asText();
        assertTrue(message.contains("object " + uid + " is already destroyed"), message);
    }
}
