package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.key.Revocation;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.CoreWithKeyRing;
import dev.tresor.kms.testing.TestCore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A revoked (KMIP Revoke) version of an exportable key can still be exported, plain or wrapped, as
 * KMIP Gets a revoked key, and the audit names the export of a revoked or compromised version; a
 * version merely disabled (REST), destroyed or of a deleted key is not exported, and a revoked
 * version still does no cryptography.
 */
class ExportOfRevokedVersionTest {
    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private VersionRef exportableAes(String name, KeyUsage... usages) {
        Key key = core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), name, KeyType.AES_256,
                Set.of(usages), Optional.of(true), Map.of()));
        return KeyRef.byId(key.id()).version(1);
    }

    @Test
    void aRevokedVersionIsExportedButNotUsedAndTheAuditSaysItWasRevoked() {
        VersionRef ref = exportableAes("revoked", KeyUsage.ENCRYPT, KeyUsage.DECRYPT);
        Bytes before = core.kms().exportMaterial(core.admin(), ref);
        core.revoke(ref, LifecycleStep.REVOKE);

        assertEquals(before, core.kms().exportMaterial(core.admin(), ref));
        assertEquals("key.export-revoked", lastOperation("key.export"));
        KmsError encrypt = assertThrows(KmsError.class, () -> core.kms().encrypt(core.admin(),
                EncryptRequest.envelope(ref, Bytes.of(new byte[] {1}))));
        assertEquals(ErrorCode.FAILED_PRECONDITION, encrypt.code());
    }

    @Test
    void aVersionDisabledOverRestIsNotExportedPlainOrWrappedNorByALaterRevoke() {
        VersionRef ref = exportableAes("disabled", KeyUsage.ENCRYPT, KeyUsage.DECRYPT);
        VersionRef wrapper = exportableAes("wrapper", KeyUsage.WRAP);
        core.kms().disableVersion(core.admin(), ref);

        KmsError plain = assertThrows(KmsError.class, () -> core.kms().exportMaterial(core.admin(), ref));
        assertEquals(ErrorCode.FAILED_PRECONDITION, plain.code());
        assertTrue(plain.getMessage().contains("disabled"), plain.getMessage());
        KmsError wrapped = assertThrows(KmsError.class, () -> core.kms().exportWrapped(core.admin(), ref, wrapper,
                Scheme.AES_KEY_WRAP, UnaryOperator.identity()));
        assertEquals(ErrorCode.FAILED_PRECONDITION, wrapped.code());

        core.revoke(ref, LifecycleStep.REVOKE_COMPROMISED);
        assertTrue(core.kms().getVersion(core.admin(), ref).revocation().isEmpty(), "a revoke does not undo a disable");
        assertEquals(ErrorCode.FAILED_PRECONDITION,
                assertThrows(KmsError.class, () -> core.kms().exportMaterial(core.admin(), ref)).code());
    }

    @Test
    void aCompromisedVersionIsExportedWrappedAndTheAuditSaysItWasCompromised() {
        VersionRef ref = exportableAes("compromised", KeyUsage.ENCRYPT);
        VersionRef wrapper = exportableAes("wrapper", KeyUsage.WRAP);
        core.revoke(ref, LifecycleStep.REVOKE);
        core.revoke(ref, LifecycleStep.REVOKE_COMPROMISED);
        assertEquals(Optional.of(Revocation.COMPROMISED), core.kms().getVersion(core.admin(), ref).revocation(),
                "a revoked version may become compromised");

        core.kms().exportWrapped(core.admin(), ref, wrapper, Scheme.AES_KEY_WRAP, UnaryOperator.identity());
        assertEquals("key.export-wrapped-compromised", lastOperation("key.export-wrapped"));
        core.kms().exportMaterial(core.admin(), ref);
        assertEquals("key.export-compromised", lastOperation("key.export"));
    }

    @Test
    void anEnabledAgainThenDisabledVersionIsNoLongerRevoked() {
        VersionRef ref = exportableAes("re-enabled", KeyUsage.ENCRYPT);
        core.revoke(ref, LifecycleStep.REVOKE);
        core.kms().enableVersion(core.admin(), ref);
        assertTrue(core.kms().getVersion(core.admin(), ref).revocation().isEmpty());
        core.kms().exportMaterial(core.admin(), ref);
        assertEquals("key.export", lastOperation("key.export"));

        core.kms().disableVersion(core.admin(), ref);
        assertEquals(ErrorCode.FAILED_PRECONDITION,
                assertThrows(KmsError.class, () -> core.kms().exportMaterial(core.admin(), ref)).code());
    }

    @Test
    void aDestroyedVersionOrADeletedKeyIsNotExported() {
        VersionRef destroyed = exportableAes("destroyed", KeyUsage.ENCRYPT);
        core.kms().rotateKey(core.admin(), destroyed.key());
        core.revoke(destroyed, LifecycleStep.REVOKE);
        core.kms().destroyVersion(core.admin(), destroyed);
        KmsError version = assertThrows(KmsError.class, () -> core.kms().exportMaterial(core.admin(), destroyed));
        assertEquals(ErrorCode.FAILED_PRECONDITION, version.code());
        assertTrue(version.getMessage().contains("destroyed"), version.getMessage());

        VersionRef deleted = exportableAes("deleted", KeyUsage.ENCRYPT);
        core.kms().deleteKey(core.admin(), deleted.key());
        KmsError key = assertThrows(KmsError.class, () -> core.kms().exportMaterial(core.admin(), deleted));
        assertEquals(ErrorCode.FAILED_PRECONDITION, key.code());
        assertTrue(key.getMessage().contains("deleted"), key.getMessage());
    }

    /** The operation of the last audit record whose operation starts with {@code prefix}. */
    private String lastOperation(String prefix) {
        List<AuditRecord> records = core.kms().exportAudit(TestCore.caller(core.tenant(), Role.AUDITOR),
                Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"));
        return records.stream().map(AuditRecord::operation).filter(op -> op.startsWith(prefix))
                .reduce((first, second) -> second).orElseThrow();
    }
}
