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
 * stored together, and a save the core refuses, or a revocation the version refuses, stores
 * neither.
 */
class RevokingAttributeSaveTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private Key aes() {
        return core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), "k", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), Map.of()));
    }

    private Key revokingSave(Key read, Map<String, String> expected, Map<String, String> attributes) {
        return core.kms().replaceAttributes(core.admin(), KeyRef.byId(read.id()), expected, 1,
                () -> new AttributeReplacement(attributes, UsePeriod.ALWAYS, Optional.of(Revocation.COMPROMISED)));
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

    @Test
    void aRevocationTheVersionRefusesSavesNoAttributes() {
        Key key = aes();
        core.kms().destroyVersion(core.admin(), KeyRef.byId(key.id()).version(1));

        KmsError refused = assertThrows(KmsError.class,
                () -> revokingSave(key, key.attributes(), Map.of("state", "compromised")));

        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertEquals("version 1 is destroyed", refused.getMessage());
        assertEquals(key.attributes(), core.kms().getKey(core.admin(), KeyRef.byId(key.id())).attributes());
        assertEquals(VersionState.DESTROYED, version(key).state());
    }
}
