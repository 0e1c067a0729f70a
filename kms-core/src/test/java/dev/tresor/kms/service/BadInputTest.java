package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a typed error naming the problem, and nothing stored changes. */
class BadInputTest {
    @TempDir
    Path dataDir;

    private TestCore test;
    private KeyManagement kms;
    private Caller admin;
    private String ring;
    private Key aes;
    private Key rsa;

    @BeforeEach
    void open() {
        test = TestCore.open(dataDir);
        kms = test.core().keyManagement();
        admin = TestCore.caller(test.newProject(), Role.ADMIN);
        ring = kms.createKeyRing(admin, new CreateKeyRing("ring", Optional.empty())).id();
        aes = kms.createKey(admin, CreateKey.rest(ring, "aes", Optional.empty(), Algorithm.AES_256_GCM, "software",
                Key.AccessScope.PUBLIC, false));
        rsa = kms.createKey(admin, CreateKey.rest(ring, "rsa", Optional.empty(), Algorithm.RSA_2048_OAEP_SHA256,
                "software", Key.AccessScope.PUBLIC, false));
    }

    @AfterEach
    void close() {
        test.close();
    }

    private VersionRef v1(Key key) {
        return KeyRef.of(ring, key.id()).version(1);
    }

    private void refused(ErrorCode code, String messagePart, Executable call) {
        MetadataExport before = kms.exportMetadata(admin);
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(code, error.code(), error.getMessage());
        assertTrue(error.getMessage().contains(messagePart), "'" + error.getMessage() + "' should name " + messagePart);
        MetadataExport after = kms.exportMetadata(admin);
        assertEquals(before.keyRings(), after.keyRings(), "a refused call changed stored metadata");
    }

    @Test
    void usagesAKeyTypeCannotHaveAreRefused() {
        refused(ErrorCode.INVALID_ARGUMENT, "usage", () -> kms.createKey(admin, CreateKey.typed(ring, "ec",
                KeyType.EC_P256, EnumSet.of(KeyUsage.ENCRYPT), Optional.empty(), Map.of())));
        refused(ErrorCode.INVALID_ARGUMENT, "usage", () -> kms.createKey(admin, CreateKey.typed(ring, "none",
                KeyType.AES_256, EnumSet.noneOf(KeyUsage.class), Optional.empty(), Map.of())));
        refused(ErrorCode.INVALID_ARGUMENT, "displayName", () -> kms.createKey(admin, CreateKey.rest(ring, "no spaces",
                Optional.empty(), Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false)));
    }

    @Test
    void schemesOutsideWhatTheKeyAllowsAreRefused() {
        refused(ErrorCode.INVALID_ARGUMENT, "aes_256_gcm", () -> kms.encrypt(admin, new EncryptRequest(v1(aes),
                Bytes.of(new byte[16]), Optional.of(Scheme.AES_CBC_PKCS7), Optional.empty(), Optional.empty(), false)));
        refused(ErrorCode.INVALID_ARGUMENT, "cannot", () -> kms.sign(admin, SignRequest.message(v1(aes), Bytes.of(new byte[4]))));
    }

    @Test
    void emptyAndOversizedDataAreRefusedNamingTheLimit() {
        refused(ErrorCode.INVALID_ARGUMENT, "empty", () -> kms.encrypt(admin, EncryptRequest.envelope(v1(aes), Bytes.empty())));
        refused(ErrorCode.INVALID_ARGUMENT, "65536", () -> kms.encrypt(admin,
                EncryptRequest.envelope(v1(aes), Bytes.wrap(new byte[65_537]))));
        refused(ErrorCode.INVALID_ARGUMENT, "190", () -> kms.encrypt(admin,
                EncryptRequest.envelope(v1(rsa), Bytes.wrap(new byte[191]))));
        assertEquals(65_536, kms.decrypt(admin, DecryptRequest.envelope(v1(aes),
                kms.encrypt(admin, EncryptRequest.envelope(v1(aes), Bytes.wrap(new byte[65_536]))).data())).length());
    }

    @Test
    void garbageCiphertextGetsOneGenericError() {
        Bytes good = kms.encrypt(admin, EncryptRequest.envelope(v1(aes), Bytes.of(new byte[] {1, 2, 3}))).data();
        byte[] flipped = good.toArray();
        flipped[flipped.length - 1] ^= 1;
        refused(ErrorCode.INVALID_ARGUMENT, "decryption failed",
                () -> kms.decrypt(admin, DecryptRequest.envelope(v1(aes), Bytes.wrap(flipped))));
        refused(ErrorCode.INVALID_ARGUMENT, "not a Tresor ciphertext",
                () -> kms.decrypt(admin, DecryptRequest.envelope(v1(aes), Bytes.of(new byte[] {9, 9, 9}))));
        refused(ErrorCode.INVALID_ARGUMENT, "decryption failed",
                () -> kms.decrypt(admin, DecryptRequest.envelope(v1(rsa), Bytes.wrap(new byte[256]))));
    }

    @Test
    void aCiphertextNamingAnotherVersionIsRefused() {
        kms.rotateKey(admin, KeyRef.of(ring, aes.id()));
        Bytes fromV2 = kms.encrypt(admin, EncryptRequest.envelope(KeyRef.of(ring, aes.id()).version(2),
                Bytes.of(new byte[] {7}))).data();
        refused(ErrorCode.INVALID_ARGUMENT, "version 2", () -> kms.decrypt(admin, DecryptRequest.envelope(v1(aes), fromV2)));
    }

    @Test
    void anotherTenantSeesNothing() {
        Caller stranger = TestCore.caller(test.newProject(), Role.ADMIN);
        refused(ErrorCode.NOT_FOUND, "key", () -> kms.getKey(stranger, KeyRef.of(ring, aes.id())));
        refused(ErrorCode.NOT_FOUND, "key ring", () -> kms.getKeyRing(stranger, ring));
        refused(ErrorCode.NOT_FOUND, "key", () -> kms.encrypt(stranger, EncryptRequest.envelope(v1(aes), Bytes.of(new byte[1]))));
        refused(ErrorCode.NOT_FOUND, "key", () -> kms.deleteKey(stranger, KeyRef.of(ring, aes.id())));
        assertEquals(List.of(), kms.listKeyRings(stranger));
    }

    @Test
    void unknownIdsAreNotFound() {
        refused(ErrorCode.NOT_FOUND, "key", () -> kms.getKey(admin, KeyRef.of(ring, "no-such-key")));
        refused(ErrorCode.NOT_FOUND, "version 9", () -> kms.getVersion(admin, KeyRef.of(ring, aes.id()).version(9)));
        refused(ErrorCode.NOT_FOUND, "key", () -> kms.getKey(admin, KeyRef.of("other-ring", aes.id())));
    }
}
