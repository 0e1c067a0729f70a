package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review s12: a KMIP Revoke of an active symmetric key, and a Destroy of it once revoked, is one
 * synced write of the server's real RocksDB store: the object's new state, the core's step (the
 * version revoked, the key deleted) and the call's audit records in one atomic batch, never the
 * state in one write and its records (or the step) in another.
 */
class KmipLifecycleOneWriteTest {
    private static final int UNSPECIFIED = 1;
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    /** The store the server's core writes to, whose synced writes the tests count. */
    private static RocksDbStore store;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension(dataDir ->
            KmipTestServer.start(dataDir, store = RocksDbStore.open(KmsCore.storeDirectory(dataDir))));

    private final KmipTestServer server = LOOPBACK.server();
    /** The core as REST calls it, for reads after the counted request. */
    private final KeyManagement rest = server.core.core().keyManagement();
    private final Caller restCaller = TestCore.caller(server.tenant, Role.ADMIN);

    @Test
    void aRevokeOfAnActiveSymmetricKeyIsOneSyncedWrite() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = createActiveAes256(kmip);

            long writes = syncedWritesOf(() -> kmip.ok(Operation.REVOKE, Kmip.uid(uid), revocation()));

            assertEquals(1, writes, "synced writes of the Revoke");
            assertEquals(List.of("kmip.revoke ok keys/" + uid, "key.set-attributes ok keys/" + uid,
                    "version.revoke ok keys/" + uid + "/versions/1"), lastRecords(3));
            assertEquals(VersionState.DISABLED,
                    rest.getVersion(restCaller, KeyRef.byId(uid).version(1)).state(), "the revoked core version");
        }
    }

    @Test
    void aDestroyOfARevokedSymmetricKeyIsOneSyncedWrite() throws Exception {
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = createActiveAes256(kmip);
            kmip.ok(Operation.REVOKE, Kmip.uid(uid), revocation());

            long writes = syncedWritesOf(() -> kmip.ok(Operation.DESTROY, Kmip.uid(uid)));

            assertEquals(1, writes, "synced writes of the Destroy");
            assertEquals(List.of("kmip.destroy ok keys/" + uid, "key.set-attributes ok keys/" + uid,
                    "key.delete ok keys/" + uid), lastRecords(3));
            assertEquals(KeyState.DELETED, rest.getKey(restCaller, KeyRef.byId(uid)).state(), "the core key");
        }
    }

    /** A KMIP request, answered once what it wrote is durable. */
    @FunctionalInterface
    private interface Request {
        void send() throws IOException;
    }

    /** How many synced writes the store made for {@code request}; nothing else writes meanwhile. */
    private static long syncedWritesOf(Request request) throws IOException {
        long before = store.syncedWrites();
        request.send();
        return store.syncedWrites() - before;
    }

    private String createActiveAes256(Kmip kmip) throws IOException {
        return kmip.createAes256(Ttlv.dateTime(Tag.ACTIVATION_DATE, server.core.clock().instant().minusSeconds(5)));
    }

    /** The tenant's last {@code count} audit records, read before any other call records more. */
    private List<String> lastRecords(int count) {
        List<AuditRecord> records = rest.exportAudit(restCaller, Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        return records.subList(records.size() - count, records.size()).stream()
                .map(r -> r.operation() + " " + r.result() + " " + r.resource()).toList();
    }

    private static Ttlv revocation() {
        return Ttlv.structure(Tag.REVOCATION_REASON, Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, UNSPECIFIED));
    }
}
