package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.key.AttributeReplacement;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.key.Revocation;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An attribute save that revokes its version (KMIP Revoke) is one write: the attributes, the
 * revocation and both audit records ({@code key.set-attributes}, {@code version.revoke}) are
 * stored together, and a save the core refuses stores neither. Whether the version is revoked is
 * judged on the version as it is when the save is written, and only a save that revoked it records
 * {@code version.revoke}.
 */
class RevokingAttributeSaveTest {
    /** The steps a KMIP Revoke may make. */
    private static final Set<LifecycleStep> REVOKES = Set.of(LifecycleStep.REVOKE, LifecycleStep.REVOKE_COMPROMISED);
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private Key aes() {
        return aes("k");
    }

    private Key aes(String name) {
        return core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), name, KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), Map.of()));
    }

    private Key revokingSave(Key read, Map<String, String> expected, Map<String, String> attributes) {
        return core.kms().replaceAttributes(core.admin(), KeyRef.byId(read.id()), expected, 1, REVOKES,
                () -> new AttributeReplacement(attributes, UsePeriod.ALWAYS, Optional.of(LifecycleStep.REVOKE_COMPROMISED)));
    }

    private KeyVersion version(Key key) {
        return core.kms().getVersion(core.admin(), KeyRef.byId(key.id()).version(1));
    }

    private List<AuditRecord> audit() {
        return core.kms().exportAudit(core.admin(), Instant.EPOCH, FOREVER);
    }

    @Test
    void aRevokingSaveStoresTheAttributesTheRevocationAndBothRecordsInOneWrite() {
        Key key = aes();

        Key saved = revokingSave(key, key.attributes(), Map.of("state", "compromised"));

        List<AuditRecord> records = audit();
        assertEquals(Map.of("state", "compromised"), saved.attributes());
        assertEquals(VersionState.DISABLED, version(key).state());
        assertEquals(Optional.of(Revocation.COMPROMISED), version(key).revocation());
        int save = records.stream().map(AuditRecord::operation).toList().lastIndexOf("key.set-attributes");
        List<AuditRecord> written = records.subList(save, save + 2);
        assertEquals(List.of("key.set-attributes", "version.revoke"),
                written.stream().map(AuditRecord::operation).toList());
        assertEquals(List.of("ok", "ok"), written.stream().map(AuditRecord::result).toList());
        assertEquals(List.of("keys/" + key.id(), "keys/" + key.id() + "/versions/1"),
                written.stream().map(AuditRecord::resource).toList());
        assertEquals(1, records.stream().filter(r -> r.operation().equals("version.revoke")).count());
    }

    @Test
    void aRevokingSaveTheCoreRefusesRevokesNothing() {
        Key key = aes();
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i <= 64; i++) {
            tooMany.put("a" + i, "v");
        }

        KmsError changed = assertThrows(KmsError.class, () -> revokingSave(key, Map.of("stale", "read"), Map.of()));
        KmsError bounds = assertThrows(KmsError.class, () -> revokingSave(key, key.attributes(), tooMany));

        assertTrue(changed.is(KmsError.Detail.CHANGED_MEANWHILE), changed.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, bounds.code());
        assertEquals(VersionState.ACTIVE, version(key).state());
        assertEquals(Optional.empty(), version(key).revocation());
        assertTrue(audit().stream().noneMatch(r -> r.operation().equals("version.revoke")), "a revocation recorded");
    }

    /**
     * The write itself refused once the revocation was made (an undo scope already undone refuses
     * it just before it writes): had the version been written apart from the save, it would stay
     * revoked with the object still saying it is not.
     */
    @Test
    void aRevokingSaveWhoseWriteIsRefusedRevokesNothing() {
        Key key = aes();
        UndoScope scope = new UndoScope();
        core.kms().undo(core.admin(), scope, "items");

        KmsError refused = assertThrows(KmsError.class, () -> core.kms().replaceAttributes(
                core.admin().undoableIn(scope), KeyRef.byId(key.id()), key.attributes(), 1, REVOKES,
                () -> new AttributeReplacement(Map.of("state", "deactivated"), UsePeriod.ALWAYS,
                        Optional.of(LifecycleStep.REVOKE))));

        assertEquals("this undo scope was already undone", refused.getMessage());
        assertEquals(VersionState.ACTIVE, version(key).state());
        assertEquals(Optional.empty(), version(key).revocation());
        assertEquals(key.attributes(), core.kms().getKey(core.admin(), KeyRef.byId(key.id())).attributes());
        assertEquals(List.of(), operations("version.revoke"));
        assertEquals(List.of("FAILED_PRECONDITION"),
                operations("key.set-attributes").stream().map(AuditRecord::result).toList());
    }

    /** A step the call did not declare (a compromise where only a plain revoke was declared) is refused. */
    @Test
    void aSaveCarryingAStepItDidNotDeclareIsRefusedAndChangesNothing() {
        Key key = aes();

        KmsError refused = assertThrows(KmsError.class, () -> core.kms().replaceAttributes(core.admin(),
                KeyRef.byId(key.id()), key.attributes(), 1, Set.of(LifecycleStep.REVOKE), () -> new AttributeReplacement(
                        Map.of("state", "compromised"), UsePeriod.ALWAYS, Optional.of(LifecycleStep.REVOKE_COMPROMISED))));

        assertEquals(ErrorCode.INTERNAL, refused.code());
        assertEquals(List.of("INTERNAL"), operations("key.set-attributes").stream().map(AuditRecord::result).toList());
        assertEquals(key.attributes(), core.kms().getKey(core.admin(), KeyRef.byId(key.id())).attributes());
        assertEquals(VersionState.ACTIVE, version(key).state());
        assertEquals(Optional.empty(), version(key).revocation());
        assertEquals(List.of(), operations("version.revoke"));
    }

    @Test
    void aRevokingSaveOfThePrimaryVersionIsRefusedAndChangesNothing() {
        Key key = aes();

        KmsError refused = assertThrows(KmsError.class, () -> core.kms().replaceAttributes(core.admin(),
                KeyRef.byId(key.id()), key.attributes(), VersionRef.PRIMARY, REVOKES, () -> new AttributeReplacement(
                        Map.of("state", "deactivated"), UsePeriod.ALWAYS,
                        Optional.of(LifecycleStep.REVOKE))));

        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        assertEquals("a version number is required", refused.getMessage());
        assertEquals(key.attributes(), core.kms().getKey(core.admin(), KeyRef.byId(key.id())).attributes());
        assertEquals(VersionState.ACTIVE, version(key).state());
        assertEquals(Optional.empty(), version(key).revocation());
        assertEquals(List.of(), operations("version.revoke"));
    }

    @Test
    void aVersionDisabledOverRestAfterTheRevokeWasDecidedStaysDisabledWithoutARevocationRecorded() {
        Key key = aes();
        VersionRef ref = KeyRef.byId(key.id()).version(1);

        Key saved = core.kms().replaceAttributes(core.admin(), KeyRef.byId(key.id()), key.attributes(), 1, REVOKES,
                () -> {
                    core.kms().disableVersion(core.admin(), ref);
                    return new AttributeReplacement(Map.of("state", "deactivated"), UsePeriod.ALWAYS,
                            Optional.of(LifecycleStep.REVOKE));
                });

        assertEquals(Map.of("state", "deactivated"), saved.attributes());
        assertEquals(VersionState.DISABLED, version(key).state());
        assertEquals(Optional.empty(), version(key).revocation(), "a revoke made what REST disabled exportable");
        assertEquals(List.of(), operations("version.revoke"));
        assertEquals(List.of("ok"), operations("key.set-attributes").stream().map(AuditRecord::result).toList());
    }

    @Test
    void aVersionEnabledOverRestAfterTheRevokeWasDecidedIsRevoked() {
        Key key = aes();
        VersionRef ref = KeyRef.byId(key.id()).version(1);
        core.kms().disableVersion(core.admin(), ref);

        core.kms().replaceAttributes(core.admin(), KeyRef.byId(key.id()), key.attributes(), 1, REVOKES,
                () -> {
                    core.kms().enableVersion(core.admin(), ref);
                    return new AttributeReplacement(Map.of("state", "deactivated"), UsePeriod.ALWAYS,
                            Optional.of(LifecycleStep.REVOKE));
                });

        assertEquals(VersionState.DISABLED, version(key).state());
        assertEquals(Optional.of(Revocation.REVOKED), version(key).revocation());
        assertEquals(1, operations("version.revoke").size());
    }

    @Test
    void aSaveThatLeavesTheVersionAsItIsRecordsNoRevocation() {
        Key key = aes();
        Key revoked = revokingSave(key, key.attributes(), Map.of("state", "compromised"));
        Key again = revokingSave(revoked, revoked.attributes(), Map.of("state", "compromised", "again", "yes"));
        Key other = aes("other");
        core.kms().destroyVersion(core.admin(), KeyRef.byId(other.id()).version(1));

        Key overDestroyed = revokingSave(other, other.attributes(), Map.of("state", "compromised"));

        assertEquals(Map.of("state", "compromised", "again", "yes"), again.attributes());
        assertEquals(Map.of("state", "compromised"), overDestroyed.attributes());
        assertEquals(VersionState.DESTROYED, version(other).state());
        assertEquals(List.of("keys/" + key.id() + "/versions/1"),
                operations("version.revoke").stream().map(AuditRecord::resource).toList(),
                "only the save that revoked a version records a revocation");
    }

    private List<AuditRecord> operations(String operation) {
        return audit().stream().filter(r -> r.operation().equals(operation)).toList();
    }
}
