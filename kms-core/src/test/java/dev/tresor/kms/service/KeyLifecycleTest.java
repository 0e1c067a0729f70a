package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class KeyLifecycleTest {
    private static final Bytes SECRET = Bytes.of("attack at dawn".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dataDir;

    private TestCore test;
    private KeyManagement kms;
    private Caller admin;
    private KeyRing ring;

    @BeforeEach
    void open() {
        test = TestCore.open(dataDir);
        kms = test.core().keyManagement();
        admin = TestCore.caller(test.newProject(), Role.ADMIN);
        ring = kms.createKeyRing(admin, new CreateKeyRing("ring", Optional.empty()));
    }

    @AfterEach
    void close() {
        test.close();
    }

    private Key aesKey() {
        return kms.createKey(admin, CreateKey.rest(ring.id(), "aes", Optional.empty(), Algorithm.AES_256_GCM,
                "software", Key.AccessScope.PUBLIC, false));
    }

    private static KeyRef ref(Key key) {
        return KeyRef.of(key.keyRingId(), key.id());
    }

    private Bytes encrypt(Key key, long version) {
        return kms.encrypt(admin, EncryptRequest.envelope(ref(key).version(version), SECRET)).data();
    }

    private Bytes decrypt(Key key, long version, Bytes ciphertext) {
        return kms.decrypt(admin, DecryptRequest.envelope(ref(key).version(version), ciphertext));
    }

    private static void assertCode(ErrorCode expected, Executable call) {
        assertEquals(expected, assertThrows(KmsError.class, call).code());
    }

    @Test
    void rotationMakesANewPrimaryAndOldVersionsStillDecrypt() {
        Key key = aesKey();
        Bytes v1 = encrypt(key, 1);
        KeyVersion second = kms.rotateKey(admin, ref(key));
        assertEquals(2, second.number());

        Encrypted primary = kms.encrypt(admin, EncryptRequest.envelope(ref(key).primary(), SECRET));
        assertEquals(2, primary.version());
        assertEquals(SECRET, decrypt(key, 1, v1));
        assertEquals(SECRET, decrypt(key, 2, primary.data()));
        assertEquals(SECRET, kms.decrypt(admin, DecryptRequest.envelope(ref(key).primary(), v1)));
    }

    @Test
    void aCiphertextNamingAnotherVersionIsRefused() {
        Key key = aesKey();
        kms.rotateKey(admin, ref(key));
        Bytes v1 = encrypt(key, 1);
        KmsError error = assertThrows(KmsError.class, () -> decrypt(key, 2, v1));
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains("version 1"), error.getMessage());
    }

    @Test
    void aDisabledVersionNeitherEncryptsNorDecryptsUntilEnabled() {
        Key key = aesKey();
        Bytes ciphertext = encrypt(key, 1);
        kms.disableVersion(admin, ref(key).version(1));
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> encrypt(key, 1));
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> decrypt(key, 1, ciphertext));
        kms.enableVersion(admin, ref(key).version(1));
        assertEquals(SECRET, decrypt(key, 1, ciphertext));
    }

    @Test
    void primaryVersionsNameTheNewestActiveVersionOfEveryKeyThatHasOne() {
        Key rotated = aesKey();
        kms.rotateKey(admin, ref(rotated));
        Key disabledNewest = aesKey();
        kms.rotateKey(admin, ref(disabledNewest));
        kms.disableVersion(admin, ref(disabledNewest).version(2));
        Key allDisabled = aesKey();
        kms.disableVersion(admin, ref(allDisabled).version(1));
        Key deleted = aesKey();
        kms.deleteKey(admin, ref(deleted));

        assertEquals(java.util.Map.of(rotated.id(), 2L, disabledNewest.id(), 1L), kms.primaryVersions(admin));
        assertEquals(1, kms.getVersion(admin, ref(disabledNewest).primary()).number(),
                "the same version the primary reference resolves to");
    }

    @Test
    void deletedKeyRestoredOnDay29KeepsEveryVersion() {
        Key key = aesKey();
        kms.rotateKey(admin, ref(key));
        Bytes ciphertext = encrypt(key, 1);

        Key deleted = kms.deleteKey(admin, ref(key));
        assertEquals(KeyState.DELETED, deleted.state());
        assertEquals(test.clock().instant().plus(Duration.ofDays(30)), deleted.deletionDate().orElseThrow());
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> decrypt(key, 1, ciphertext));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> kms.deleteKey(admin, ref(key)));

        test.clock().advance(Duration.ofDays(29));
        Key restored = kms.restoreKey(admin, ref(key));
        assertEquals(KeyState.ACTIVE, restored.state());
        assertEquals(Optional.empty(), restored.deletionDate());
        assertEquals(2, kms.listVersions(admin, ref(key)).size());
        assertEquals(SECRET, decrypt(key, 1, ciphertext));
    }

    @Test
    void deletedKeyIsNotFoundEverywhereOnDay31() {
        Key key = aesKey();
        kms.deleteKey(admin, ref(key));
        test.clock().advance(Duration.ofDays(31));

        assertCode(ErrorCode.NOT_FOUND, () -> kms.getKey(admin, ref(key)));
        assertCode(ErrorCode.NOT_FOUND, () -> kms.restoreKey(admin, ref(key)));
        assertCode(ErrorCode.NOT_FOUND, () -> kms.listVersions(admin, ref(key)));
        assertCode(ErrorCode.NOT_FOUND, () -> kms.getVersion(admin, ref(key).version(1)));
        assertEquals(List.of(), kms.listKeys(admin, ring.id()));
        assertEquals(1, kms.purgeExpired());
        assertCode(ErrorCode.NOT_FOUND, () -> kms.getKey(admin, ref(key)));
    }

    @Test
    void destroyedVersionRestoresToItsPreviousStateWithinTheWindow() {
        Key key = aesKey();
        kms.rotateKey(admin, ref(key));
        kms.disableVersion(admin, ref(key).version(1));
        KeyVersion destroyed = kms.destroyVersion(admin, ref(key).version(1));
        assertEquals(VersionState.DESTROYED, destroyed.state());
        assertEquals(test.clock().instant().plus(Duration.ofDays(30)), destroyed.destroyDate().orElseThrow());

        test.clock().advance(Duration.ofDays(29));
        KeyVersion restored = kms.restoreVersion(admin, ref(key).version(1));
        assertEquals(VersionState.DISABLED, restored.state());
        assertEquals(Optional.empty(), restored.destroyDate());
    }

    @Test
    void destroyedVersionIsPurgedAfterTheWindowWhileOthersKeepWorking() {
        Key key = aesKey();
        kms.rotateKey(admin, ref(key));
        Bytes v2 = encrypt(key, 2);
        kms.destroyVersion(admin, ref(key).version(1));
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> encrypt(key, 1));

        test.clock().advance(Duration.ofDays(31));
        assertCode(ErrorCode.NOT_FOUND, () -> kms.getVersion(admin, ref(key).version(1)));
        assertCode(ErrorCode.NOT_FOUND, () -> kms.restoreVersion(admin, ref(key).version(1)));
        assertEquals(1, kms.purgeExpired());
        assertEquals(List.of(2L), kms.listVersions(admin, ref(key)).stream().map(KeyVersion::number).toList());
        assertEquals(SECRET, decrypt(key, 2, v2));
        assertEquals(3, kms.rotateKey(admin, ref(key)).number(), "a purged version's number is never reused");
    }

    @Test
    void eachPurgedKeyIsNamedInItsProjectsAuditChain() {
        Key key = aesKey();
        kms.deleteKey(admin, ref(key));
        test.clock().advance(Duration.ofDays(31));
        assertEquals(1, kms.purgeExpired());
        var records = kms.exportAudit(admin, java.time.Instant.EPOCH, test.clock().instant().plusSeconds(1));
        assertTrue(records.stream().anyMatch(r -> r.operation().equals("purge")
                && r.resource().equals("keyrings/" + ring.id() + "/keys/" + key.id())), records.toString());
    }

    @Test
    void aKeyRingWithKeysCannotBeDeleted() {
        Key key = aesKey();
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> kms.deleteKeyRing(admin, ring.id()));
        kms.deleteKey(admin, ref(key));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> kms.deleteKeyRing(admin, ring.id()));
        test.clock().advance(Duration.ofDays(31));
        kms.purgeExpired();
        kms.deleteKeyRing(admin, ring.id());
        assertCode(ErrorCode.NOT_FOUND, () -> kms.getKeyRing(admin, ring.id()));
    }

    @Test
    void anImportOnlyKeyRefusesRotation() {
        Key key = kms.createKey(admin, CreateKey.rest(ring.id(), "byok", Optional.empty(), Algorithm.AES_256_GCM,
                "software", Key.AccessScope.PUBLIC, true));
        assertEquals(KeyState.NO_VERSION, key.state());
        assertEquals(List.of(), kms.listVersions(admin, ref(key)));
        assertCode(ErrorCode.PERMISSION_DENIED, () -> kms.rotateKey(admin, ref(key)));
    }

    @Test
    void everyAlgorithmWorksEndToEnd() {
        for (Algorithm algorithm : Algorithm.values()) {
            Key key = kms.createKey(admin, CreateKey.rest(ring.id(), algorithm.wireName(), Optional.empty(),
                    algorithm, "software", Key.AccessScope.PUBLIC, false));
            VersionRef v1 = ref(key).version(1);
            switch (algorithm.purpose()) {
                case SYMMETRIC_ENCRYPT_DECRYPT, ASYMMETRIC_ENCRYPT_DECRYPT -> {
                    Encrypted encrypted = kms.encrypt(admin, EncryptRequest.envelope(v1, SECRET));
                    assertEquals(SECRET, kms.decrypt(admin, DecryptRequest.envelope(v1, encrypted.data())), algorithm.wireName());
                }
                case MESSAGE_AUTHENTICATION_CODE, ASYMMETRIC_SIGN_VERIFY -> {
                    Bytes signature = kms.sign(admin, SignRequest.message(v1, SECRET));
                    assertTrue(kms.verify(admin, SignRequest.message(v1, SECRET), signature), algorithm.wireName());
                    assertFalse(kms.verify(admin, SignRequest.message(v1, Bytes.of(new byte[] {1})), signature),
                            algorithm.wireName());
                }
            }
            if (algorithm.keyType().isAsymmetric()) {
                assertTrue(kms.getVersion(admin, v1).publicKeyPem().orElseThrow().startsWith("-----BEGIN PUBLIC KEY-----"));
                assertTrue(kms.publicKey(admin, v1).length() > 64);
            }
        }
    }

    @Test
    void restartKeepsKeysAndTheirMaterial() {
        Key key = aesKey();
        Bytes ciphertext = encrypt(key, 1);
        test.close();
        test = TestCore.open(dataDir, test.clock());
        kms = test.core().keyManagement();
        assertEquals(SECRET, decrypt(key, 1, ciphertext));
    }

    @Test
    void everyCallIsAuditedWithoutSecrets() {
        Key key = aesKey();
        encrypt(key, 1);
        assertCode(ErrorCode.FAILED_PRECONDITION, () -> kms.restoreKey(admin, ref(key)));
        var records = kms.exportAudit(admin, test.clock().instant().minusSeconds(1), test.clock().instant().plusSeconds(1));
        List<String> operations = records.stream().map(r -> r.operation() + ":" + r.result()).toList();
        assertEquals(List.of("keyring.create:ok", "key.create:ok", "encrypt:ok", "key.restore:FAILED_PRECONDITION"),
                operations);
    }
}
