package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit of an admitted front-end call (a KMIP batch item): one record of its own, which names
 * the resource of its last read-only core call, the core operations it took and the outcome its
 * client got, written in one durable write when it ends or together with its first change, on an
 * intact chain; a failure after that change is a second record of the call.
 */
class AdmittedCallAuditTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    Path dataDir;

    private TestCore test;
    private KeyManagement kms;
    private Caller admin;
    private Caller auditor;

    @BeforeEach
    void open() {
        test = TestCore.open(dataDir);
        kms = test.core().keyManagement();
        TenantId tenant = test.newProject(3);
        admin = TestCore.caller(tenant, Role.ADMIN);
        auditor = TestCore.caller(tenant, Role.AUDITOR);
    }

    @AfterEach
    void close() {
        test.close();
    }

    /** Operation, resource and result of each record of the tenant (the export's own record comes after). */
    private List<String> trail() {
        test.clock().advance(Duration.ofHours(1)); // a fresh budget for the export itself
        List<AuditRecord> records = kms.exportAudit(auditor, Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        return records.stream().map(r -> r.operation() + " " + r.resource() + " " + r.result()).toList();
    }

    @Test
    void readOnlyCoreCallsFoldIntoOneRecordWrittenWhenTheCallEnds() {
        KeyRing ring = kms.createKeyRing(admin, new CreateKeyRing("r", Optional.empty()));
        kms.admitted(admin, "kmip.get", item -> {
            kms.listKeyRings(item);
            kms.getKeyRing(item, ring.id());
            assertEquals(List.of("keyring.create keyrings ok"), trail(), "nothing of the call is written while it runs");
            return null;
        });
        assertEquals(List.of("keyring.create keyrings ok", "export.audit  ok", "kmip.get keyrings/" + ring.id() + " ok"),
                trail());
    }

    @Test
    void aChangeCarriesTheCallsRecordAndLaterReadsKeepTheirOwn() {
        kms.admitted(admin, "kmip.create", item -> {
            kms.listKeyRings(item);
            kms.createKeyRing(item, new CreateKeyRing("kmip", Optional.empty()));
            assertEquals(List.of("kmip.create keyrings ok", "keyring.create keyrings ok"), trail(),
                    "the change is durable together with the call's record");
            kms.listKeyRings(item);
            return null;
        });
        assertEquals(List.of("kmip.create keyrings ok", "keyring.create keyrings ok", "export.audit  ok",
                "keyring.list keyrings ok"), trail());
    }

    /** The {@code ops} detail of the tenant's last record of {@code operation}. */
    private String opsOfLast(String operation) {
        List<AuditRecord> records = kms.exportAudit(auditor, Instant.EPOCH, FOREVER);
        return records.stream().filter(r -> r.operation().equals(operation)).reduce((first, second) -> second)
                .orElseThrow().details().get("ops");
    }

    @Test
    void aFailureTheFrontEndHandledIsNotTheCallsResultButItsOpsNameIt() {
        kms.admitted(admin, "kmip.get-attributes", item -> {
            assertThrows(KmsError.class, () -> kms.getKeyRing(item, "no-such-ring"));
            return kms.listKeyRings(item);
        });
        assertEquals(List.of("kmip.get-attributes keyrings ok"), trail());
        assertEquals("keyring.get:NOT_FOUND,keyring.list", opsOfLast("kmip.get-attributes"));
    }

    @Test
    void aFrontEndsOwnRefusalIsRecordedWithTheCodeItGivesIt() {
        assertThrows(IllegalStateException.class, () -> kms.admitted(admin, "kmip.decrypt", item -> {
            kms.listKeyRings(item);
            throw new IllegalStateException("refused by the front-end's own rules");
        }, refusal -> ErrorCode.INVALID_ARGUMENT));
        assertThrows(IllegalStateException.class, () -> kms.admitted(admin, "kmip.encrypt", item -> {
            throw new IllegalStateException("a front-end without refusals of its own");
        }));
        assertEquals(List.of("kmip.decrypt keyrings INVALID_ARGUMENT", "kmip.encrypt  INTERNAL"), trail());
    }

    @Test
    void aFailureAfterAChangeIsASecondRecordOfTheCall() {
        assertThrows(KmsError.class, () -> kms.admitted(admin, "kmip.create", item -> {
            kms.createKeyRing(item, new CreateKeyRing("kmip", Optional.empty()));
            throw KmsError.invalid("an attribute the front-end refuses after the change");
        }));
        assertEquals(List.of("kmip.create  ok", "keyring.create keyrings ok", "kmip.create  INVALID_ARGUMENT"),
                trail());
    }

    @Test
    void theCallsRecordNamesTheFailureItEndedWith() {
        KmsError missing = assertThrows(KmsError.class, () -> kms.admitted(admin, "kmip.get", item -> {
            kms.listKeyRings(item);
            return kms.getKeyRing(item, "no-such-ring");
        }));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertThrows(KmsError.class, () -> kms.admitted(admin, "kmip.activate", item -> {
            throw KmsError.precondition("refused by the front-end itself");
        }));
        assertEquals(List.of("kmip.get keyrings/no-such-ring NOT_FOUND", "kmip.activate  FAILED_PRECONDITION"),
                trail());
    }

    @Test
    void aCoreCallUnderTheCallerAfterItsAdmittedCallEndedIsWrittenAtOnce() {
        Caller ended = kms.admitted(admin, "kmip.decrypt", item -> item);
        kms.listKeyRings(ended);
        assertEquals(List.of("kmip.decrypt  ok", "keyring.list keyrings ok"), trail());
    }

    @Test
    void aRefusedAdmissionIsRecordedAndRunsNothing() {
        for (int call = 0; call < 3; call++) {
            kms.admitted(admin, "kmip.query", item -> null);
        }
        boolean[] ran = {false};
        KmsError limited = assertThrows(KmsError.class, () -> kms.admitted(admin, "kmip.query", item -> {
            ran[0] = true;
            return null;
        }));
        assertEquals(ErrorCode.RATE_LIMITED, limited.code());
        assertFalse(ran[0]);
        assertEquals(List.of("kmip.query  ok", "kmip.query  ok", "kmip.query  ok", "kmip.query  RATE_LIMITED"), trail());
    }

    @Test
    void anAsyncCallGivesItsResultWithItsRecordWritten() {
        CompletableFuture<String> answer = kms.admittedAsync(admin, "kmip.query", item -> {
            kms.listKeyRings(item);
            return "answer";
        }, refusal -> ErrorCode.INTERNAL);
        assertEquals("answer", answer.join());
        assertEquals(List.of("kmip.query keyrings ok"), trail());
    }

    @Test
    void anAsyncCallWhoseRecordCannotBeWrittenFailsAndNeverGivesItsResult() {
        KeyRing ring = kms.createKeyRing(admin, new CreateKeyRing("r", Optional.empty()));
        CompletableFuture<String> answer = kms.admittedAsync(admin, "kmip.encrypt", item -> {
            kms.getKeyRing(item, ring.id());
            test.core().administration().seal(TestCore.OPERATOR);
            return "ciphertext";
        }, refusal -> ErrorCode.INTERNAL);
        CompletionException failed = assertThrows(CompletionException.class, answer::join);
        assertEquals(ErrorCode.SEALED, assertInstanceOf(KmsError.class, failed.getCause()).code());
        reopen();
        assertEquals(List.of("keyring.create keyrings ok"), trail(), "nothing of the call reached the disk");
    }

    @Test
    void theSynchronousCallThrowsWhatTheWriteFailedWith() {
        KmsError sealed = assertThrows(KmsError.class, () -> kms.admitted(admin, "kmip.query", item -> {
            test.core().administration().seal(TestCore.OPERATOR);
            return "answer";
        }));
        assertEquals(ErrorCode.SEALED, sealed.code());
    }

    @Test
    void anAsyncCallsOwnFailureIsRecordedBeforeItReturns() {
        CompletableFuture<Object> answer = kms.admittedAsync(admin, "kmip.get", item -> {
            throw KmsError.notFound("object 7");
        }, refusal -> ErrorCode.INTERNAL);
        assertTrue(answer.isCompletedExceptionally(), "the caller handles the refusal on its own thread");
        assertEquals(List.of("kmip.get  NOT_FOUND"), trail());
    }

    /** The same data directory in a new core: what reached the disk, unsealed again. */
    private void reopen() {
        test.close();
        test = TestCore.open(dataDir);
        kms = test.core().keyManagement();
    }
}
