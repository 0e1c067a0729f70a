package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.key.UsageLimit;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.CoreWithKeyRing;
import dev.tresor.kms.testing.TestCore;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Encryption fed in parts: the parts give exactly the one-shot ciphertext and tag; open streams
 * are bounded per client, expire, belong to the client that opened them, hold at most 64 KiB in
 * all; and every part is a counted call that spends the key's usage limit.
 */
class EncryptionInPartsTest {
    private static final Bytes IV = Bytes.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    private static final Bytes AAD = Bytes.of(new byte[] {42, 43});

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private VersionRef key(KeyType type, Optional<UsageLimit> limit) {
        Key key = core.kms().createKey(core.admin(), new CreateKey(core.ring(), "k", Optional.empty(), type,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.empty(), "software", Key.AccessScope.PUBLIC, false,
                Optional.of(false), Map.of(), limit));
        return KeyRef.byId(key.id()).version(1);
    }

    private static byte[] data(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 7);
        }
        return data;
    }

    private static EncryptionPart first(VersionRef key, Scheme scheme, byte[] part) {
        return new EncryptionPart(new EncryptRequest(key, Bytes.of(part), Optional.of(scheme), Optional.of(AAD),
                Optional.of(IV), false, Optional.empty()), Optional.empty(), false);
    }

    private static EncryptionPart next(VersionRef key, Bytes stream, byte[] part, boolean last) {
        return new EncryptionPart(new EncryptRequest(key, Bytes.of(part), Optional.empty(), Optional.empty(),
                Optional.empty(), false), Optional.of(stream), last);
    }

    @ParameterizedTest
    @EnumSource(value = Scheme.class, names = {"AES_GCM", "CHACHA20_POLY1305"})
    void thePartsGiveTheOneShotCiphertextAndTag(Scheme scheme) {
        VersionRef key = key(scheme == Scheme.AES_GCM ? KeyType.AES_128 : KeyType.CHACHA20_POLY1305, Optional.empty());
        byte[] plaintext = data(60);
        Encrypted whole = core.kms().encrypt(core.admin(), new EncryptRequest(key, Bytes.of(plaintext),
                Optional.of(scheme), Optional.of(AAD), Optional.of(IV), false));
        ByteArrayOutputStream ciphertext = new ByteArrayOutputStream();
        EncryptedPart part = core.kms().encryptPart(core.admin(), first(key, scheme,
                java.util.Arrays.copyOfRange(plaintext, 0, 32)));
        assertEquals(IV, part.encrypted().iv().orElseThrow());
        ciphertext.writeBytes(part.encrypted().data().toArray());
        Bytes stream = part.stream().orElseThrow();
        part = core.kms().encryptPart(core.admin(), next(key, stream, java.util.Arrays.copyOfRange(plaintext, 32, 49),
                false));
        assertEquals(stream, part.stream().orElseThrow());
        ciphertext.writeBytes(part.encrypted().data().toArray());
        part = core.kms().encryptPart(core.admin(), next(key, stream, java.util.Arrays.copyOfRange(plaintext, 49, 60),
                true));
        assertTrue(part.stream().isEmpty());
        ciphertext.writeBytes(part.encrypted().data().toArray());
        assertEquals(whole.data(), Bytes.of(ciphertext.toByteArray()));
        assertEquals(whole.tag(), part.encrypted().tag());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(KmsError.class,
                () -> core.kms().encryptPart(core.admin(), next(key, stream, new byte[1], true))).code(),
                "a finished stream is gone");
    }

    @Test
    void aClientHoldsAtMostFourOpenStreamsAndOnlyItsOwn() {
        VersionRef key = key(KeyType.AES_256, Optional.empty());
        List<Bytes> streams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            streams.add(core.kms().encryptPart(core.admin(), first(key, Scheme.AES_GCM,
                    data(16))).stream().orElseThrow());
        }
        KmsError full = assertThrows(KmsError.class, () -> core.kms().encryptPart(core.admin(), first(key,
                Scheme.AES_GCM, data(16))));
        assertEquals(ErrorCode.FAILED_PRECONDITION, full.code());
        assertTrue(full.getMessage().contains("at most 4"), full.getMessage());

        Caller other = Caller.of(new Principal(Principal.Kind.TOKEN, "someone-else"), core.tenant(), Role.ADMIN);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(KmsError.class,
                () -> core.kms().encryptPart(other, next(key, streams.get(0), data(16), true))).code());
        core.kms().encryptPart(other, first(key, Scheme.AES_GCM, data(16)));

        core.kms().encryptPart(core.admin(), next(key, streams.get(0), data(16), true));
        core.kms().encryptPart(core.admin(), first(key, Scheme.AES_GCM, data(16)));
    }

    @Test
    void anIdleStreamExpiresAfterFiveMinutes() {
        VersionRef key = key(KeyType.AES_256, Optional.empty());
        Bytes stream = core.kms().encryptPart(core.admin(), first(key, Scheme.AES_GCM,
                data(16))).stream().orElseThrow();
        core.test().clock().advance(Duration.ofMinutes(4));
        core.kms().encryptPart(core.admin(), next(key, stream, data(16), false));
        core.test().clock().advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(KmsError.class,
                () -> core.kms().encryptPart(core.admin(), next(key, stream, data(16), true))).code());
    }

    @Test
    void allThePartsOfOneStreamTakeAtMost64KiB() {
        VersionRef key = key(KeyType.AES_256, Optional.empty());
        Bytes stream = core.kms().encryptPart(core.admin(), first(key, Scheme.AES_GCM,
                data(65_536))).stream().orElseThrow();
        KmsError tooMuch = assertThrows(KmsError.class, () -> core.kms().encryptPart(core.admin(), next(key, stream,
                data(1), true)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, tooMuch.code());
        assertTrue(tooMuch.getMessage().contains("at most 65536 bytes together"), tooMuch.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class,
                () -> core.kms().encryptPart(core.admin(), first(key, Scheme.AES_GCM, data(65_537)))).code());
    }

    @Test
    void onlyTheFirstPartTakesAnIvOrAssociatedDataAndOnlyAeadSchemesStream() {
        VersionRef key = key(KeyType.AES_256, Optional.empty());
        Bytes stream = core.kms().encryptPart(core.admin(), first(key, Scheme.AES_GCM,
                data(16))).stream().orElseThrow();
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class, () -> core.kms().encryptPart(core.admin(),
                new EncryptionPart(new EncryptRequest(key, Bytes.of(data(16)), Optional.empty(), Optional.of(AAD),
                        Optional.empty(), false), Optional.of(stream), true))).code());
        KmsError cbc = assertThrows(KmsError.class, () -> core.kms().encryptPart(core.admin(), first(key,
                Scheme.AES_CBC_PKCS7, data(16))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, cbc.code());
    }

    @Test
    void everyPartIsACountedCallAndSpendsTheUsageLimit() {
        VersionRef key = key(KeyType.AES_256, Optional.of(UsageLimit.of(UsageLimit.Unit.BYTE, 40)));
        Bytes stream = core.kms().encryptPart(core.admin(), first(key, Scheme.AES_GCM,
                data(16))).stream().orElseThrow();
        core.kms().encryptPart(core.admin(), next(key, stream, data(16), false));
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class,
                () -> core.kms().encryptPart(core.admin(), next(key, stream, data(16), true))).code());
        assertEquals(8, core.kms().getKey(core.admin(), key.key()).usageLimit().orElseThrow().remaining());

        TenantId small = core.test().newProject(3);
        Caller limited = TestCore.caller(small, Role.ADMIN);
        String smallRing = core.kms().createKeyRing(limited, new CreateKeyRing("ring", Optional.empty())).id();
        Key smallKey = core.kms().createKey(limited, CreateKey.typed(smallRing, "k", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), Map.of()));
        VersionRef ref = KeyRef.byId(smallKey.id()).version(1);
        Bytes open = core.kms().encryptPart(limited, first(ref, Scheme.AES_GCM, data(16))).stream().orElseThrow();
        assertEquals(ErrorCode.RATE_LIMITED, assertThrows(KmsError.class,
                () -> core.kms().encryptPart(limited, next(ref, open, data(16), true))).code());
    }
}
