package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

class KeyLifecycleTest {
    private static final Bytes SECRET = Bytes.of("attack at dawn".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private Key aesKey() {
        return core.kms().createKey(core.admin(), CreateKey.rest(core.ring(), "aes", Optional.empty(),
                Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false));
    }

    private static KeyRef ref(Key key) {
        return KeyRef.of(key.keyRingId(), key.id());
    }

    private Bytes encrypt(Key key, long version) {
        return core.kms().encrypt(core.admin(), EncryptRequest.envelope(ref(key).version(version), SECRET)).data();
    }

    private Bytes decrypt(Key key, long version, Bytes ciphertext) {
        return core.kms().decrypt(core.admin(), DecryptRequest.envelope(ref(key).version(version), ciphertext));
    }

    private static void assertCode(ErrorCode expected, Executable call) {
        assertEquals(expected, assertThrows(KmsError.class, call).code());
    }

    @Test
    void rotationMakesANewPrimaryAndOldVersionsStillDecrypt() {
        Key key = aesKey();
        Bytes v1 = encrypt(key, 1);
        KeyVersion second = core.kms().rotateKey(core.admin(), ref(key));
        assertEquals(2, second.number());

        Encrypted primary = core.kms().encrypt(core.admin(), EncryptRequest.envelope(ref(key).primary(), SECRET));
        assertEquals(2, primary.version());
        assertEquals(SECRET, decrypt(key, 1, v1));
        assertEquals(SECRET, decrypt(key, 2, primary.data()));
        assertEquals(SECRET, core.kms().decrypt(core.admin(), DecryptRequest.envelope(ref(key).primary(), v1)));
    }

    @Test
    void aCiphertextNamingAnotherVersionIsRefused() {
        Key key = aesKey();
        core.kms().rotateKey(core.admin(), ref(key));
        Bytes v1 = encrypt(key, 1);
        KmsError error = assertThrows(KmsError.class, () -> decrypt(key, 2, v1));
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains("version 1"), error.getMessage());
    }

    @Test
    void aDisabledVersionNeitherEncryptsNorDecryptsUntilEnabled() {
        Key key = aesKey();
        Bytes ciphertext = encrypt(key, 1);
        core.kms().disableVersion(core.admin(), ref(key).version(1));
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> encrypt(key, 1));
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> decrypt(key, 1, ciphertext));
        core.kms().enableVersion(core.admin(), ref(key).version(1));
        assertEquals(SECRET, decrypt(key, 1, ciphertext));
    }

    @Test
    void primaryVersionsNameTheNewestActiveVersionOfEveryKeyThatHasOne() {
        Key rotated = aesKey();
        core.kms().rotateKey(core.admin(), ref(rotated));
        Key disabledNewest = aesKey();
        core.kms().rotateKey(core.admin(), ref(disabledNewest));
        core.kms().disableVersion(core.admin(), ref(disabledNewest).version(2));
        Key allDisabled = aesKey();
        core.kms().disableVersion(core.admin(), ref(allDisabled).version(1));
        Key deleted = aesKey();
        core.kms().deleteKey(core.admin(), ref(deleted));

        assertEquals(java.util.Map.of(rotated.id(), 2L, disabledNewest.id(), 1L),
                core.kms().primaryVersions(core.admin()));
        assertEquals(1, core.kms().getVersion(core.admin(), ref(disabledNewest).primary()).number(),
                "the same version the primary reference resolves to");
    }

    @Test
    void deletedKeyRestoredOnDay29KeepsEveryVersion() {
        Key key = aesKey();
        core.kms().rotateKey(core.admin(), ref(key));
        Bytes ciphertext = encrypt(key, 1);

        Key deleted = core.kms().deleteKey(core.admin(), ref(key));
        assertEquals(KeyState.DELETED, deleted.state());
        assertEquals(core.test().clock().instant().plus(Duration.ofDays(30)), deleted.deletionDate().orElseThrow());
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> decrypt(key, 1, ciphertext));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> core.kms().deleteKey(core.admin(), ref(key)));

        core.test().clock().advance(Duration.ofDays(29));
        Key restored = core.kms().restoreKey(core.admin(), ref(key));
        assertEquals(KeyState.ACTIVE, restored.state());
        assertEquals(Optional.empty(), restored.deletionDate());
        assertEquals(2, core.kms().listVersions(core.admin(), ref(key)).size());
        assertEquals(SECRET, decrypt(key, 1, ciphertext));
    }

    @Test
    void deletedKeyIsNotFoundEverywhereOnDay31() {
        Key key = aesKey();
        core.kms().deleteKey(core.admin(), ref(key));
        core.test().clock().advance(Duration.ofDays(31));

        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().getKey(core.admin(), ref(key)));
        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().restoreKey(core.admin(), ref(key)));
        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().listVersions(core.admin(), ref(key)));
        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().getVersion(core.admin(), ref(key).version(1)));
        assertEquals(List.of(), core.kms().listKeys(core.admin(), core.ring()));
        assertEquals(1, core.kms().purgeExpired());
        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().getKey(core.admin(), ref(key)));
    }

    @Test
    void destroyedVersionRestoresToItsPreviousStateWithinTheWindow() {
        Key key = aesKey();
        core.kms().rotateKey(core.admin(), ref(key));
        core.kms().disableVersion(core.admin(), ref(key).version(1));
        KeyVersion destroyed = core.kms().destroyVersion(core.admin(), ref(key).version(1));
        assertEquals(VersionState.DESTROYED, destroyed.state());
        assertEquals(core.test().clock().instant().plus(Duration.ofDays(30)), destroyed.destroyDate().orElseThrow());

        core.test().clock().advance(Duration.ofDays(29));
        KeyVersion restored = core.kms().restoreVersion(core.admin(), ref(key).version(1));
        assertEquals(VersionState.DISABLED, restored.state());
        assertEquals(Optional.empty(), restored.destroyDate());
    }

    @Test
    void destroyedVersionIsPurgedAfterTheWindowWhileOthersKeepWorking() {
        Key key = aesKey();
        core.kms().rotateKey(core.admin(), ref(key));
        Bytes v2 = encrypt(key, 2);
        core.kms().destroyVersion(core.admin(), ref(key).version(1));
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> encrypt(key, 1));

        core.test().clock().advance(Duration.ofDays(31));
        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().getVersion(core.admin(), ref(key).version(1)));
        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().restoreVersion(core.admin(), ref(key).version(1)));
        assertEquals(1, core.kms().purgeExpired());
        assertEquals(List.of(2L), core.kms().listVersions(core.admin(),
                ref(key)).stream().map(KeyVersion::number).toList());
        assertEquals(SECRET, decrypt(key, 2, v2));
        assertEquals(3, core.kms().rotateKey(core.admin(), ref(key)).number(),
                "a purged version's number is never reused");
    }

    @Test
    void eachPurgedKeyIsNamedInItsProjectsAuditChain() {
        Key key = aesKey();
        core.kms().deleteKey(core.admin(), ref(key));
        core.test().clock().advance(Duration.ofDays(31));
        assertEquals(1, core.kms().purgeExpired());
        var records = core.kms().exportAudit(core.admin(), java.time.Instant.EPOCH,
                core.test().clock().instant().plusSeconds(1));
        assertTrue(records.stream().anyMatch(r -> r.operation().equals("purge")
                && r.resource().equals("keyrings/" + core.ring() + "/keys/" + key.id())), records.toString());
    }

    @Test
    void aKeyRingWithKeysCannotBeDeleted() {
        Key key = aesKey();
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> core.kms().deleteKeyRing(core.admin(), core.ring()));
        core.kms().deleteKey(core.admin(), ref(key));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> core.kms().deleteKeyRing(core.admin(), core.ring()));
        core.test().clock().advance(Duration.ofDays(31));
        core.kms().purgeExpired();
        core.kms().deleteKeyRing(core.admin(), core.ring());
        assertCode(ErrorCode.NOT_FOUND, () -> core.kms().getKeyRing(core.admin(), core.ring()));
    }

    @Test
    void anImportOnlyKeyRefusesRotation() {
        Key key = core.kms().createKey(core.admin(), CreateKey.rest(core.ring(), "byok", Optional.empty(),
                Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, true));
        assertEquals(KeyState.NO_VERSION, key.state());
        assertEquals(List.of(), core.kms().listVersions(core.admin(), ref(key)));
        assertCode(ErrorCode.PERMISSION_DENIED, () -> core.kms().rotateKey(core.admin(), ref(key)));
    }

    @Test
    void everyAlgorithmWorksEndToEnd() {
        for (Algorithm algorithm : Algorithm.values()) {
            Key key = core.kms().createKey(core.admin(), CreateKey.rest(core.ring(), algorithm.wireName(),
                    Optional.empty(), algorithm, "software", Key.AccessScope.PUBLIC, false));
            VersionRef v1 = ref(key).version(1);
            switch (algorithm.purpose()) {
                case SYMMETRIC_ENCRYPT_DECRYPT, ASYMMETRIC_ENCRYPT_DECRYPT -> {
                    Encrypted encrypted = core.kms().encrypt(core.admin(), EncryptRequest.envelope(v1, SECRET));
                    assertEquals(SECRET, core.kms().decrypt(core.admin(), DecryptRequest.envelope(v1,
                            encrypted.data())), algorithm.wireName());
                }
                case MESSAGE_AUTHENTICATION_CODE, ASYMMETRIC_SIGN_VERIFY -> {
                    Bytes signature = core.kms().sign(core.admin(), SignRequest.message(v1, SECRET));
                    assertTrue(core.kms().verify(core.admin(), SignRequest.message(v1, SECRET), signature),
                            algorithm.wireName());
                    assertFalse(core.kms().verify(core.admin(), SignRequest.message(v1, Bytes.of(new byte[] {1})),
                            signature), algorithm.wireName());
                }
            }
            if (algorithm.keyType().isAsymmetric()) {
                assertTrue(core.kms().getVersion(core.admin(),
                        v1).publicKeyPem().orElseThrow().startsWith("-----BEGIN PUBLIC KEY-----"));
                assertTrue(core.kms().publicKey(core.admin(), v1).length() > 64);
            }
        }
    }

    @Test
    void restartKeepsKeysAndTheirMaterial() {
        Key key = aesKey();
        Bytes ciphertext = encrypt(key, 1);
        core.restart();
        assertEquals(SECRET, decrypt(key, 1, ciphertext));
    }

    @Test
    void everyCallIsAuditedWithoutSecrets() {
        Key key = aesKey();
        encrypt(key, 1);
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> core.kms().restoreKey(core.admin(), ref(key)));
        var records = core.kms().exportAudit(core.admin(), core.test().clock().instant().minusSeconds(1),
                core.test().clock().instant().plusSeconds(1));
        List<String> operations = records.stream().map(r -> r.operation() + ":" + r.result()).toList();
        assertEquals(List.of("keyring.create:ok", "key.create:ok", "encrypt:ok", "key.restore:FAILED_PRECONDITION"),
                operations);
    }
}
