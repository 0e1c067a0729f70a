package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tag length of the AEAD schemes (AES-GCM, ChaCha20-Poly1305) is the core's to check, once:
 * a shorter tag is the full tag's leading bytes, 12 to 16 bytes, and a decryption that asks for
 * one length accepts a tag of that length only.
 */
class AeadTagLengthTest {
    private static final Bytes DATA = Bytes.of("attack at dawn".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private VersionRef key(KeyType type) {
        Key key = core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), "k", type, Set.of(KeyUsage.ENCRYPT,
                KeyUsage.DECRYPT), Optional.of(false), Map.of()));
        return KeyRef.byId(key.id()).version(1);
    }

    private Encrypted encrypt(VersionRef key, Scheme scheme, Optional<Bytes> iv, Optional<Integer> tagBytes) {
        return core.kms().encrypt(core.admin(), new EncryptRequest(key, DATA, Optional.of(scheme), Optional.empty(),
                iv, false, tagBytes));
    }

    private Bytes decrypt(VersionRef key, Scheme scheme, Encrypted encrypted, Optional<Bytes> tag,
            Optional<Integer> tagBytes) {
        return core.kms().decrypt(core.admin(), new DecryptRequest(key, encrypted.data(), Optional.of(scheme),
                Optional.empty(), encrypted.iv(), tag, false, tagBytes));
    }

    @ParameterizedTest
    @EnumSource(value = Scheme.class, names = {"AES_GCM", "CHACHA20_POLY1305"})
    void aShortTagIsTheFullTagsLeadingBytesAndOpensAtThatLengthOnly(Scheme scheme) {
        VersionRef key = key(scheme == Scheme.AES_GCM ? KeyType.AES_256 : KeyType.CHACHA20_POLY1305);
        Encrypted full = encrypt(key, scheme, Optional.empty(), Optional.empty());
        Encrypted shorter = encrypt(key, scheme, full.iv(), Optional.of(12));
        assertEquals(full.data(), shorter.data());
        assertArrayEquals(Arrays.copyOf(full.tag().orElseThrow().toArray(), 12), shorter.tag().orElseThrow().toArray());

        assertEquals(DATA, decrypt(key, scheme, shorter, shorter.tag(), Optional.of(12)));
        assertEquals(DATA, decrypt(key, scheme, shorter, shorter.tag(), Optional.empty()));
        assertEquals(DATA, decrypt(key, scheme, full, full.tag(), Optional.of(16)));
        invalid("not the 12 bytes", () -> decrypt(key, scheme, full, full.tag(), Optional.of(12)));
        invalid("not the 16 bytes", () -> decrypt(key, scheme, shorter, shorter.tag(), Optional.of(16)));
    }

    @ParameterizedTest
    @EnumSource(value = Scheme.class, names = {"AES_GCM", "CHACHA20_POLY1305"})
    void aTagLengthOutsideTwelveToSixteenBytesIsRefusedBeforeAnyWork(Scheme scheme) {
        VersionRef key = key(scheme == Scheme.AES_GCM ? KeyType.AES_256 : KeyType.CHACHA20_POLY1305);
        Encrypted full = encrypt(key, scheme, Optional.empty(), Optional.empty());
        for (int bytes : new int[] {0, 1, 11, 17, 32}) {
            invalid("tag length " + bytes + " is not offered: " + scheme + " tags are 12 to 16 bytes",
                    () -> encrypt(key, scheme, Optional.empty(), Optional.of(bytes)));
            invalid("tag length " + bytes, () -> decrypt(key, scheme, full, full.tag(), Optional.of(bytes)));
        }
    }

    @Test
    void aSchemeWithoutATagTakesNoTagLength() {
        VersionRef aes = key(KeyType.AES_256);
        invalid("AES_CBC_PKCS7 has no tag", () -> encrypt(aes, Scheme.AES_CBC_PKCS7, Optional.empty(),
                Optional.of(16)));
        VersionRef chacha = key(KeyType.CHACHA20);
        invalid("CHACHA20 has no tag", () -> encrypt(chacha, Scheme.CHACHA20, Optional.empty(), Optional.of(16)));
    }

    @Test
    void aChaCha20KeyRunsItsOwnSchemeByDefault() {
        VersionRef stream = key(KeyType.CHACHA20);
        Encrypted bare = core.kms().encrypt(core.admin(), new EncryptRequest(stream, DATA, Optional.empty(),
                Optional.empty(), Optional.empty(), false));
        assertEquals(Scheme.CHACHA20, bare.scheme());
        assertTrue(bare.tag().isEmpty());
        VersionRef aead = key(KeyType.CHACHA20_POLY1305);
        Encrypted sealed = core.kms().encrypt(core.admin(), new EncryptRequest(aead, DATA, Optional.empty(),
                Optional.empty(), Optional.empty(), false));
        assertEquals(Scheme.CHACHA20_POLY1305, sealed.scheme());
        assertEquals(16, sealed.tag().orElseThrow().length());
        invalid("cannot be used with a CHACHA20 key",
                () -> encrypt(stream, Scheme.CHACHA20_POLY1305, Optional.empty(), Optional.empty()));
    }

    private static void invalid(String messagePart, org.junit.jupiter.api.function.Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains(messagePart), error.getMessage());
    }
}
