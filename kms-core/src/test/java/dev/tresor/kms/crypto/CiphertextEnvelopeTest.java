package dev.tresor.kms.crypto;

import static dev.tresor.kms.crypto.CryptoRoundTripTest.assertDecryptionFailed;
import static dev.tresor.kms.crypto.CryptoRoundTripTest.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CiphertextEnvelopeTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final HexFormat HEX = HexFormat.of();
    private static final LoadedKey KEY = CRYPTO.load(KeyType.AES_256, CRYPTO.generate(KeyType.AES_256));

    @Test
    void theWorkedExampleInTheDocsIsExact() {
        LoadedKey key = CRYPTO.load(KeyType.AES_256, KeyMaterial.copyOf(
                HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")));
        byte[] nonce = HEX.parseHex("cafebabefacedbaddecaf888");
        byte[] plaintext = "Hello, Tresor!".getBytes(StandardCharsets.US_ASCII);
        CipherOutput out = CRYPTO.encrypt(key, Scheme.AES_GCM, plaintext, nonce, CiphertextEnvelope.header(7));
        byte[] envelope = CiphertextEnvelope.encode(7, nonce, concat(out.ciphertext(), out.tag()));

        assertEquals("0100000007cafebabefacedbaddecaf888c2c6cc4ac5566f4f346e2eb2093cac979839af5b7d44644c71bcac209e79",
                HEX.formatHex(envelope));
        assertArrayEquals(plaintext, CRYPTO.decryptEnvelope(key, CiphertextEnvelope.decode(envelope), null));
    }

    @Test
    void encryptEnvelopeAndTheSplitPathAgreeOnTheFormat() {
        byte[] plaintext = CRYPTO.randomBytes(1024);
        byte[] envelope = CRYPTO.encryptEnvelope(KEY, 42, plaintext, null);
        assertEquals(plaintext.length + CiphertextEnvelope.overhead(), envelope.length);
        assertEquals(33, CiphertextEnvelope.overhead());

        CiphertextEnvelope.Parsed parsed = CiphertextEnvelope.decode(envelope);
        assertEquals(42, parsed.version());
        byte[] sealed = parsed.ciphertextAndTag();
        byte[] split = CRYPTO.decrypt(KEY, Scheme.AES_GCM, parsed.nonce(), Arrays.copyOf(sealed, sealed.length - 16),
                Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length), CiphertextEnvelope.header(42));
        assertArrayEquals(plaintext, split);
        assertArrayEquals(plaintext, CRYPTO.decryptEnvelope(KEY, parsed, null));
    }

    @Test
    void callerAssociatedDataFollowsTheHeader() {
        byte[] aad = "tenant-a/key-1".getBytes(StandardCharsets.US_ASCII);
        byte[] envelope = CRYPTO.encryptEnvelope(KEY, 1, new byte[10], aad);
        assertArrayEquals(new byte[10], CRYPTO.decryptEnvelope(KEY, CiphertextEnvelope.decode(envelope), aad));
        assertDecryptionFailed(() -> CRYPTO.decryptEnvelope(KEY, CiphertextEnvelope.decode(envelope), null));
    }

    @Test
    void aHeaderEditedToNameAnotherVersionFailsToDecrypt() {
        byte[] envelope = CRYPTO.encryptEnvelope(KEY, 3, new byte[100], null);
        byte[] edited = envelope.clone();
        edited[4] = 4;
        CiphertextEnvelope.Parsed parsed = CiphertextEnvelope.decode(edited);
        assertEquals(4, parsed.version());
        assertDecryptionFailed(() -> CRYPTO.decryptEnvelope(KEY, parsed, null));
        for (int i : new int[] {5, 16, 17, envelope.length - 1}) {
            byte[] flipped = envelope.clone();
            flipped[i] ^= 1;
            assertDecryptionFailed(() -> CRYPTO.decryptEnvelope(KEY, CiphertextEnvelope.decode(flipped), null));
        }
    }

    @Test
    void malformedHeadersAreNotTresorCiphertexts() {
        byte[] envelope = CRYPTO.encryptEnvelope(KEY, 3, new byte[0], null);
        byte[] otherFormat = envelope.clone();
        otherFormat[0] = 2;
        byte[] versionZero = envelope.clone();
        Arrays.fill(versionZero, 1, 5, (byte) 0);
        for (byte[] bad : new byte[][] {otherFormat, versionZero, Arrays.copyOf(envelope, 32), new byte[0]}) {
            assertInvalid(() -> CiphertextEnvelope.decode(bad), "ciphertext is not a Tresor ciphertext");
        }
    }

    @Test
    void versionsAreUnsigned32BitBigEndian() {
        assertEquals("01ffffffff", HEX.formatHex(CiphertextEnvelope.header(0xFFFF_FFFFL)));
        assertEquals(0xFFFF_FFFFL, CiphertextEnvelope.decode(CRYPTO.encryptEnvelope(KEY, 0xFFFF_FFFFL, new byte[1], null)).version());
        assertInvalid(() -> CiphertextEnvelope.header(0x1_0000_0000L), "key version must be");
        assertInvalid(() -> CiphertextEnvelope.header(0), "key version must be");
        assertInvalid(() -> CiphertextEnvelope.encode(1, new byte[16], new byte[16]), "nonce must be 12 bytes");
        assertInvalid(() -> CiphertextEnvelope.encode(1, new byte[12], new byte[15]), "at least 16 bytes");
    }

    @Test
    void onlyAes256KeysUseTheFormat() {
        LoadedKey aes128 = CRYPTO.load(KeyType.AES_128, CRYPTO.generate(KeyType.AES_128));
        assertInvalid(() -> CRYPTO.encryptEnvelope(aes128, 1, new byte[1], null), "AES-256-GCM");
    }

    @Test
    void decodeKeepsItsOwnCopy() {
        byte[] envelope = CRYPTO.encryptEnvelope(KEY, 9, new byte[5], null);
        CiphertextEnvelope.Parsed parsed = CiphertextEnvelope.decode(envelope);
        Arrays.fill(envelope, (byte) 0);
        assertArrayEquals(new byte[5], CRYPTO.decryptEnvelope(KEY, parsed, null));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
