package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.SignRequest;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KMIP Destroy of a key object saves the object Destroyed and makes the core's step (destroy the
 * version, or delete the key) in one write, audited in it; a step REST made meanwhile is left out,
 * not refused. A version or key an operator restored through REST since stays restored: a Destroy
 * of the Destroyed object answers that it is already destroyed and changes nothing.
 */
class KmipDestroyTest {
    private static final int DESTROYED = 5;
    private static final int RSA = 0x04;
    private static final int SIGN_AND_VERIFY = 0x03;
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

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
    void aDestroyIsAuditedAsTheSaveAndTheCoreStepInOneWrite() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = firstOfTwoVersions(kmip);

            kmip.ok(Operation.DESTROY, Kmip.uid(uid));

            List<AuditRecord> all = audit();
            AuditRecord call = last(all, "kmip.destroy");
            assertEquals(List.of("kmip.destroy ok " + call.resource(), "key.set-attributes ok keys/" + uid,
                            "version.destroy ok keys/" + uid + "/versions/1"),
                    all.subList(all.indexOf(call), all.size()).stream()
                            .map(r -> r.operation() + " " + r.result() + " " + r.resource()).toList(),
                    "the call, its save and the version's destroy, chained in that order, nothing after them");
            assertEquals(VersionState.DESTROYED, rest.getVersion(restCaller, KeyRef.byId(uid).version(1)).state());
        }
    }

    @Test
    void aDestroyOfAnObjectWhoseVersionRestDestroyedMeanwhileSucceedsWithoutRecordingItAgain() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = firstOfTwoVersions(kmip);
            rest.destroyVersion(restCaller, KeyRef.byId(uid).version(1));

            kmip.ok(Operation.DESTROY, Kmip.uid(uid));

            assertEquals(DESTROYED, kmip.namedAttribute(uid, "State").orElseThrow().asEnum());
            assertEquals(1, audit().stream().filter(r -> r.operation().equals("version.destroy")
                    && r.resource().startsWith("keys/" + uid)).count(), "only REST's destroy is recorded");
        }
    }

    @Test
    void aVersionRestRestoredAfterItsObjectsDestroyStaysRestored() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = firstOfTwoVersions(kmip);
            VersionRef first = KeyRef.byId(uid).version(1);
            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            rest.restoreVersion(restCaller, first);

            assertRefusedAsDestroyed(kmip, uid);

            assertNotEquals(VersionState.DESTROYED, rest.getVersion(restCaller, first).state());
            assertEquals(DESTROYED, kmip.namedAttribute(uid, "State").orElseThrow().asEnum());
        }
    }

    @Test
    void aKeyRestRestoredAfterItsObjectsDestroyStaysRestored() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.createAes256();
            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            rest.restoreKey(restCaller, KeyRef.byId(uid));

            assertRefusedAsDestroyed(kmip, uid);

            assertNotEquals(KeyState.DELETED, rest.getKey(restCaller, KeyRef.byId(uid)).state());
        }
    }

    @Test
    void aDestroyOfADestroyedObjectWhoseKeyRestDeletedSinceIsRefusedAsDestroyedAndRecordsNoStep() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = firstOfTwoVersions(kmip);
            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            rest.restoreVersion(restCaller, KeyRef.byId(uid).version(1));
            rest.deleteKey(restCaller, KeyRef.byId(uid));

            assertRefusedAsDestroyed(kmip, uid);

            assertEquals(List.of("version.destroy ok"), audit().stream()
                    .filter(r -> r.operation().equals("version.destroy") && r.resource().startsWith("keys/" + uid))
                    .map(r -> r.operation() + " " + r.result()).toList(), "only the first Destroy's step is recorded");
        }
    }

    /** Review revoke2 m6: a pair's private half destroys its version while the public half lives; the last half deletes the key. */
    @Test
    void aPairsPrivateDestroyDestroysTheVersionAndThePublicDestroyThenDeletesTheKey() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv pair = rsaPair(kmip);
            String privateKey = pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
            String publicKey = pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();

            kmip.ok(Operation.DESTROY, Kmip.uid(privateKey));
            List<String> privateDestroy = sinceLast("kmip.destroy");
            kmip.ok(Operation.DESTROY, Kmip.uid(publicKey));

            assertEquals(List.of("kmip.destroy ok", "key.set-attributes ok", "version.destroy ok"), privateDestroy);
            assertEquals(List.of("kmip.destroy ok", "key.set-attributes ok", "key.delete ok"), sinceLast("kmip.destroy"));
            assertRefusedAsDestroyed(kmip, privateKey);
            assertRefusedAsDestroyed(kmip, publicKey);
        }
    }

    /**
     * Review destroy2 M1: the public half's Destroy deletes the key only while its version is
     * destroyed; the stored private half says Destroyed of a version an admin restored since.
     */
    @Test
    void aPairsPublicDestroyKeepsTheKeyWhosePrivateVersionRestWasRestoredAfterThePrivateDestroy() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv pair = rsaPair(kmip);
            String privateKey = pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
            String publicKey = pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();
            VersionRef version = KeyRef.byId(privateKey).version(1);
            kmip.ok(Operation.DESTROY, Kmip.uid(privateKey));
            rest.restoreVersion(restCaller, version);

            kmip.ok(Operation.DESTROY, Kmip.uid(publicKey));

            assertEquals(List.of("kmip.destroy ok", "key.set-attributes ok"), sinceLast("kmip.destroy"));
            assertNotEquals(KeyState.DELETED, rest.getKey(restCaller, KeyRef.byId(privateKey)).state());
            assertTrue(rest.sign(restCaller, SignRequest.message(version, Bytes.wrap(new byte[] {1, 2, 3}))).length() > 0,
                    "the restored private key still signs through REST");
            assertRefusedAsDestroyed(kmip, publicKey);
        }
    }

    /** Operation and result of the records from the last {@code operation} on. */
    private List<String> sinceLast(String operation) {
        List<AuditRecord> all = audit();
        return all.subList(all.indexOf(last(all, operation)), all.size()).stream()
                .map(r -> r.operation() + " " + r.result()).toList();
    }

    /** A new RSA pair's Create Key Pair response. */
    private static Ttlv rsaPair(Kmip kmip) throws Exception {
        return kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, RSA), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, SIGN_AND_VERIFY)));
    }

    /** A Pre-Active AES key object whose key has a second version, so destroying it destroys only its version. */
    private String firstOfTwoVersions(Kmip kmip) throws Exception {
        String uid = kmip.createAes256();
        rest.rotateKey(restCaller, KeyRef.byId(uid));
        return uid;
    }

    /** A Destroy of a Destroyed object is refused. */
    private static void assertRefusedAsDestroyed(Kmip kmip, String uid) throws Exception {
        Ttlv again = kmip.item(Operation.DESTROY, Kmip.uid(uid));
        assertNotEquals(0, Requests.status(again), "a Destroy of a destroyed object succeeded");
        String message = again.require(Tag.RESULT_MESSAGE).asText();
        assertTrue(message.contains("object " + uid + " is already destroyed"), message);
    }

    private List<AuditRecord> audit() {
        List<AuditRecord> records = rest.exportAudit(restCaller, Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        return records;
    }

    private static AuditRecord last(List<AuditRecord> records, String operation) {
        List<AuditRecord> found = records.stream().filter(r -> r.operation().equals(operation)).toList();
        assertTrue(!found.isEmpty(), "no " + operation + " record");
        return found.get(found.size() - 1);
    }
}
