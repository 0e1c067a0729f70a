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
import dev.tresor.kms.testing.CoreWithKeyRing;
import dev.tresor.kms.testing.TestCore;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/** Bad input gets a typed error naming the problem, and nothing stored changes. */
class BadInputTest {
    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();
    private Key aes;
    private Key rsa;

    @BeforeEach
    void createKeys() {
        aes = core.kms().createKey(core.admin(), CreateKey.rest(core.ring(), "aes", Optional.empty(),
                Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false));
        rsa = core.kms().createKey(core.admin(), CreateKey.rest(core.ring(), "rsa", Optional.empty(),
                Algorithm.RSA_2048_OAEP_SHA256, "software", Key.AccessScope.PUBLIC, false));
    }

    private VersionRef v1(Key key) {
        return KeyRef.of(core.ring(), key.id()).version(1);
    }

    private void refused(ErrorCode code, String messagePart, Executable call) {
        MetadataExport before = core.kms().exportMetadata(core.admin());
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(code, error.code(), error.getMessage());
        assertTrue(error.getMessage().contains(messagePart), "'" + error.getMessage() + "' should name " + messagePart);
        MetadataExport after = core.kms().exportMetadata(core.admin());
        assertEquals(before.keyRings(), after.keyRings(), "a refused call changed stored metadata");
    }

    @Test
    void usagesAKeyTypeCannotHaveAreRefused() {
        refused(ErrorCode.INVALID_ARGUMENT, "usage", () -> core.kms().createKey(core.admin(),
                CreateKey.typed(core.ring(), "ec", KeyType.EC_P256, EnumSet.of(KeyUsage.ENCRYPT), Optional.empty(),
                Map.of())));
        refused(ErrorCode.INVALID_ARGUMENT, "usage", () -> core.kms().createKey(core.admin(),
                CreateKey.typed(core.ring(), "none", KeyType.AES_256, EnumSet.noneOf(KeyUsage.class), Optional.empty(),
                Map.of())));
        refused(ErrorCode.INVALID_ARGUMENT, "displayName", () -> core.kms().createKey(core.admin(),
                CreateKey.rest(core.ring(), "no spaces", Optional.empty(), Algorithm.AES_256_GCM, "software",
                Key.AccessScope.PUBLIC, false)));
    }

    @Test
    void schemesOutsideWhatTheKeyAllowsAreRefused() {
        refused(ErrorCode.INVALID_ARGUMENT, "aes_256_gcm", () -> core.kms().encrypt(core.admin(),
                new EncryptRequest(v1(aes), Bytes.of(new byte[16]), Optional.of(Scheme.AES_CBC_PKCS7),
                Optional.empty(), Optional.empty(), false)));
        refused(ErrorCode.INVALID_ARGUMENT, "cannot", () -> core.kms().sign(core.admin(), SignRequest.message(v1(aes),
                Bytes.of(new byte[4]))));
    }

    @Test
    void emptyAndOversizedDataAreRefusedNamingTheLimit() {
        refused(ErrorCode.INVALID_ARGUMENT, "empty", () -> core.kms().encrypt(core.admin(),
                EncryptRequest.envelope(v1(aes), Bytes.empty())));
        refused(ErrorCode.INVALID_ARGUMENT, "65536", () -> core.kms().encrypt(core.admin(),
                EncryptRequest.envelope(v1(aes), Bytes.wrap(new byte[65_537]))));
        refused(ErrorCode.INVALID_ARGUMENT, "190", () -> core.kms().encrypt(core.admin(),
                EncryptRequest.envelope(v1(rsa), Bytes.wrap(new byte[191]))));
        assertEquals(65_536, core.kms().decrypt(core.admin(), DecryptRequest.envelope(v1(aes),
                core.kms().encrypt(core.admin(), EncryptRequest.envelope(v1(aes),
                Bytes.wrap(new byte[65_536]))).data())).length());
    }

    @Test
    void garbageCiphertextGetsOneGenericError() {
        Bytes good = core.kms().encrypt(core.admin(), EncryptRequest.envelope(v1(aes), Bytes.of(new byte[] {1, 2,
                3}))).data();
        byte[] flipped = good.toArray();
        flipped[flipped.length - 1] ^= 1;
        refused(ErrorCode.INVALID_ARGUMENT, "decryption failed",
                () -> core.kms().decrypt(core.admin(), DecryptRequest.envelope(v1(aes), Bytes.wrap(flipped))));
        refused(ErrorCode.INVALID_ARGUMENT, "not a Tresor ciphertext",
                () -> core.kms().decrypt(core.admin(), DecryptRequest.envelope(v1(aes), Bytes.of(new byte[] {9, 9,
                9}))));
        refused(ErrorCode.INVALID_ARGUMENT, "decryption failed",
                () -> core.kms().decrypt(core.admin(), DecryptRequest.envelope(v1(rsa), Bytes.wrap(new byte[256]))));
    }

    @Test
    void aCiphertextNamingAnotherVersionIsRefused() {
        core.kms().rotateKey(core.admin(), KeyRef.of(core.ring(), aes.id()));
        Bytes fromV2 = core.kms().encrypt(core.admin(), EncryptRequest.envelope(KeyRef.of(core.ring(),
                aes.id()).version(2), Bytes.of(new byte[] {7}))).data();
        refused(ErrorCode.INVALID_ARGUMENT, "version 2", () -> core.kms().decrypt(core.admin(),
                DecryptRequest.envelope(v1(aes), fromV2)));
    }

    @Test
    void anotherTenantSeesNothing() {
        Caller stranger = TestCore.caller(core.test().newProject(), Role.ADMIN);
        refused(ErrorCode.NOT_FOUND, "key", () -> core.kms().getKey(stranger, KeyRef.of(core.ring(), aes.id())));
        refused(ErrorCode.NOT_FOUND, "key ring", () -> core.kms().getKeyRing(stranger, core.ring()));
        refused(ErrorCode.NOT_FOUND, "key", () -> core.kms().encrypt(stranger, EncryptRequest.envelope(v1(aes),
                Bytes.of(new byte[1]))));
        refused(ErrorCode.NOT_FOUND, "key", () -> core.kms().deleteKey(stranger, KeyRef.of(core.ring(), aes.id())));
        assertEquals(List.of(), core.kms().listKeyRings(stranger));
    }

    @Test
    void unknownIdsAreNotFound() {
        refused(ErrorCode.NOT_FOUND, "key", () -> core.kms().getKey(core.admin(), KeyRef.of(core.ring(),
                "no-such-key")));
        refused(ErrorCode.NOT_FOUND, "version 9", () -> core.kms().getVersion(core.admin(), KeyRef.of(core.ring(),
                aes.id()).version(9)));
        refused(ErrorCode.NOT_FOUND, "key", () -> core.kms().getKey(core.admin(), KeyRef.of("other-ring", aes.id())));
    }
}
