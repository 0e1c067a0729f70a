package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A disabled (KMIP: revoked) version of an exportable key can still be exported, as KMIP Gets a
 * revoked key; a destroyed version or a deleted key cannot, and a disabled version still does no
 * cryptography.
 */
class ExportOfRevokedVersionTest {
    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private VersionRef exportableAes(String name) {
        Key key = core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), name, KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(true), Map.of()));
        return KeyRef.byId(key.id()).version(1);
    }

    @Test
    void aDisabledVersionIsExportedButNotUsed() {
        VersionRef ref = exportableAes("revoked");
        Bytes before = core.kms().exportMaterial(core.admin(), ref);
        core.kms().disableVersion(core.admin(), ref);

        assertEquals(before, core.kms().exportMaterial(core.admin(), ref));
        KmsError encrypt = assertThrows(KmsError.class, () -> core.kms().encrypt(core.admin(),
                EncryptRequest.envelope(ref, Bytes.of(new byte[] {1}))));
        assertEquals(ErrorCode.FAILED_PRECONDITION, encrypt.code());
    }

    @Test
    void aDestroyedVersionOrADeletedKeyIsNotExported() {
        VersionRef destroyed = exportableAes("destroyed");
        core.kms().rotateKey(core.admin(), destroyed.key());
        core.kms().destroyVersion(core.admin(), destroyed);
        KmsError version = assertThrows(KmsError.class, () -> core.kms().exportMaterial(core.admin(), destroyed));
        assertEquals(ErrorCode.FAILED_PRECONDITION, version.code());
        assertTrue(version.getMessage().contains("destroyed"), version.getMessage());

        VersionRef deleted = exportableAes("deleted");
        core.kms().deleteKey(core.admin(), deleted.key());
        KmsError key = assertThrows(KmsError.class, () -> core.kms().exportMaterial(core.admin(), deleted));
        assertEquals(ErrorCode.FAILED_PRECONDITION, key.code());
        assertTrue(key.getMessage().contains("deleted"), key.getMessage());
    }
}
