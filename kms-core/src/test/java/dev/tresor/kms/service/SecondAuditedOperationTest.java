package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.limit.RateLimits;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.Right;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call whose write may make a second audited change needs that change's right too: a role
 * without it is denied before the call runs, even when the first right would let it.
 */
class SecondAuditedOperationTest {
    @TempDir
    Path dataDir;

    private RocksDbStore store;
    private BarrierStore barrier;
    private TenantId tenant;
    private AuditLog audit;
    private CallPipeline pipeline;

    @BeforeEach
    void open() {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        store = RocksDbStore.open(KmsCore.storeDirectory(dataDir));
        barrier = SealManager.openDev(store, dataDir).barrierStore();
        Projects projects = new Projects(barrier, clock);
        tenant = new TenantId(projects.create(Optional.empty(), OptionalLong.empty(), KmipLegacy.NONE,
                barrier::write).id(), "eu01");
        audit = new AuditLog(barrier);
        pipeline = new CallPipeline(barrier, projects, new RateLimits(), audit, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<String> records() {
        return audit.export(tenant.path(), Instant.EPOCH, Instant.MAX).stream()
                .map(r -> r.operation() + " " + r.result() + " " + r.resource()).toList();
    }

    @Test
    void aRoleWithoutTheSecondOperationsRightIsDeniedBeforeTheCallRuns() {
        AtomicBoolean ran = new AtomicBoolean();

        CallPipeline.Also revoke = new CallPipeline.Also("version.revoke", Right.EXPORT, "keys/k/versions/1");

        KmsError denied = assertThrows(KmsError.class, () -> pipeline.run(TestCore.caller(tenant, Role.KEY_ADMIN),
                "key.set-attributes", Right.LIFECYCLE, "keys/k", List.of(revoke), (commit, alsoCommit) -> {
                    ran.set(true);
                    alsoCommit.apply(revoke).accept(barrier.batch());
                    return "saved";
                }));

        assertEquals(ErrorCode.PERMISSION_DENIED, denied.code());
        assertEquals("role key-admin may not version.revoke", denied.getMessage());
        assertFalse(ran.get(), "the call ran");
        assertEquals(List.of("key.set-attributes PERMISSION_DENIED keys/k"), records());

        pipeline.run(TestCore.caller(tenant, Role.ADMIN), "key.set-attributes", Right.LIFECYCLE, "keys/k",
                List.of(revoke), (commit, alsoCommit) -> {
                    alsoCommit.apply(revoke).accept(barrier.batch());
                    return "saved";
                });
        assertEquals(List.of("key.set-attributes ok keys/k", "version.revoke ok keys/k/versions/1"),
                records().subList(1, records().size()));
    }

    /** Every second operation's right is checked, not only the first one's. */
    @Test
    void aRoleWithoutTheRightOfTheSecondOfTwoOperationsIsDeniedBeforeTheCallRuns() {
        AtomicBoolean ran = new AtomicBoolean();
        List<CallPipeline.Also> also = List.of(
                new CallPipeline.Also("version.destroy", Right.LIFECYCLE, "keys/k/versions/1"),
                new CallPipeline.Also("key.export", Right.EXPORT, "keys/k"));

        KmsError denied = assertThrows(KmsError.class, () -> pipeline.run(TestCore.caller(tenant, Role.KEY_ADMIN),
                "key.set-attributes", Right.LIFECYCLE, "keys/k", also, (commit, alsoCommit) -> {
                    ran.set(true);
                    return "saved";
                }));

        assertEquals(ErrorCode.PERMISSION_DENIED, denied.code());
        assertEquals("role key-admin may not key.export", denied.getMessage());
        assertFalse(ran.get(), "the call ran");
        assertEquals(List.of("key.set-attributes PERMISSION_DENIED keys/k"), records());
    }

    /** A write that would make an operation the call did not declare is an internal error, written nowhere. */
    @Test
    void aSecondOperationTheCallDidNotDeclareIsRefusedWithNothingWritten() {
        CallPipeline.Also revoke = new CallPipeline.Also("version.revoke", Right.LIFECYCLE, "keys/k/versions/1");
        CallPipeline.Also delete = new CallPipeline.Also("key.delete", Right.LIFECYCLE, "keys/k");

        KmsError refused = assertThrows(KmsError.class, () -> pipeline.run(TestCore.caller(tenant, Role.ADMIN),
                "key.set-attributes", Right.LIFECYCLE, "keys/k", List.of(revoke), (commit, alsoCommit) -> {
                    alsoCommit.apply(delete).accept(barrier.batch());
                    return "saved";
                }));

        assertEquals(ErrorCode.INTERNAL, refused.code());
        assertInstanceOf(IllegalArgumentException.class, refused.getCause());
        assertEquals(List.of("key.set-attributes INTERNAL keys/k"), records());
    }
}
