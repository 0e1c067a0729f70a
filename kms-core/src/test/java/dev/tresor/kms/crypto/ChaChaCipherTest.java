package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * ChaCha20 and ChaCha20-Poly1305 against the published vectors: RFC 8439 (section 2.8.2 and
 * appendix A.5 for the AEAD, appendix A.1 for the keystream) and the original 64-bit-nonce
 * ChaCha20 vectors (draft-strombergson-chacha-test-vectors, the ones the OASIS CS-BC-M-CHACHA20
 * test cases use). The shared Wycheproof subset has no chacha20_poly1305 file.
 */
class ChaChaCipherTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final HexFormat HEX = HexFormat.of();

    private static final String AEAD_KEY = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
    private static final String AEAD_NONCE = "070000004041424344454647";
    private static final String AEAD_AAD = "50515253c0c1c2c3c4c5c6c7";
    private static final String AEAD_PLAINTEXT = "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
            + "73206f66202739393a204966204920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f"
            + "7220746865206675747572652c2073756e73637265656e20776f756c642062652069742e";
    private static final String AEAD_CIPHERTEXT = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
            + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee32809"
            + "1b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116";
    private static final String AEAD_TAG = "1ae10b594f09e26a7e902ecbd0600691";

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    private static LoadedKey key(KeyType type, String keyHex) {
        return CRYPTO.load(type, KeyMaterial.adopt(hex(keyHex)));
    }

    @Test
    void theRfc8439AeadVectorEncryptsAndDecryptsWithTheTagApartOrAppended() {
        LoadedKey key = key(KeyType.CHACHA20_POLY1305, AEAD_KEY);
        CipherOutput out = CRYPTO.encrypt(key, Scheme.CHACHA20_POLY1305, hex(AEAD_PLAINTEXT), hex(AEAD_NONCE),
                hex(AEAD_AAD));
        assertEquals(AEAD_CIPHERTEXT, HEX.formatHex(out.ciphertext()));
        assertEquals(AEAD_TAG, HEX.formatHex(out.tag()));
        assertArrayEquals(hex(AEAD_PLAINTEXT), CRYPTO.decrypt(key, Scheme.CHACHA20_POLY1305, hex(AEAD_NONCE),
                hex(AEAD_CIPHERTEXT), hex(AEAD_TAG), hex(AEAD_AAD)));
        assertArrayEquals(hex(AEAD_PLAINTEXT), CRYPTO.decrypt(key, Scheme.CHACHA20_POLY1305, hex(AEAD_NONCE),
                hex(AEAD_CIPHERTEXT + AEAD_TAG), null, hex(AEAD_AAD)));
    }

    @Test
    void theRfc8439AppendixA5DecryptionVectorOpens() {
        LoadedKey key = key(KeyType.CHACHA20_POLY1305,
                "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
        String ciphertext = "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e"
                + "382d26b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1"
                + "ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216"
                + "cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273"
                + "f548271a0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff"
                + "77987130305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b";
        byte[] plaintext = CRYPTO.decrypt(key, Scheme.CHACHA20_POLY1305, hex("000000000102030405060708"),
                hex(ciphertext), hex("eead9d67890cbb22392336fea1851f38"), hex("f33388860000000000004e91"));
        assertTrue(new String(plaintext, java.nio.charset.StandardCharsets.US_ASCII)
                .startsWith("Internet-Drafts are draft documents valid for a maximum of six months"));
    }

    @Test
    void chacha20MatchesTheOriginal64BitNonceVectorsAndTheRfcLayout() {
        byte[] zeros64 = new byte[64];
        String keystream = "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586";
        LoadedKey zeroKey = key(KeyType.CHACHA20, "00".repeat(32));
        assertEquals(keystream, HEX.formatHex(CRYPTO.encrypt(zeroKey, Scheme.CHACHA20, zeros64, new byte[8], null)
                .ciphertext()));
        // RFC 8439 A.1 test vector 1: the same keystream under the 96-bit all-zero nonce, counter 0
        assertEquals(keystream, HEX.formatHex(CRYPTO.encrypt(zeroKey, Scheme.CHACHA20, zeros64, new byte[12], null)
                .ciphertext()));
        LoadedKey oneKey = key(KeyType.CHACHA20, "00".repeat(31) + "01");
        assertEquals("4540f05a9f1fb296d7736e7b208e3c96eb4fe1834688d2604f450952ed432d41"
                        + "bbe2a0b6ea7566d2a5d1e7e20d42af2c53d792b1c43fea817e9ad275ae546963",
                HEX.formatHex(CRYPTO.encrypt(oneKey, Scheme.CHACHA20, zeros64, new byte[8], null).ciphertext()));
        byte[] ciphertext = CRYPTO.encrypt(zeroKey, Scheme.CHACHA20, new byte[60], hex("0000000000000001"), null)
                .ciphertext();
        assertEquals("de9cba7bf3d69ef5e786dc63973f653a0b49e015adbff7134fcb7df137821031"
                + "e85a050278a7084527214f73efc7fa5b5277062eb7a0433e445f41e3", HEX.formatHex(ciphertext));
        assertArrayEquals(new byte[60], CRYPTO.decrypt(zeroKey, Scheme.CHACHA20, hex("0000000000000001"), ciphertext,
                null, null));
    }

    @Test
    void aShortTagIsCheckedAsTheLeadingBytesOfTheFullTag() {
        LoadedKey key = key(KeyType.CHACHA20_POLY1305, AEAD_KEY);
        byte[] full = hex(AEAD_TAG);
        for (int length = Scheme.MIN_AEAD_TAG_BYTES; length <= Scheme.AEAD_TAG_BYTES; length++) {
            byte[] tag = Arrays.copyOf(full, length);
            assertArrayEquals(hex(AEAD_PLAINTEXT), CRYPTO.decrypt(key, Scheme.CHACHA20_POLY1305, hex(AEAD_NONCE),
                    hex(AEAD_CIPHERTEXT), tag, hex(AEAD_AAD)), length + "-byte tag");
            for (int i = 0; i < length; i++) {
                byte[] forged = tag.clone();
                forged[i] ^= 0x01;
                assertOpensNot(key, hex(AEAD_NONCE), hex(AEAD_CIPHERTEXT), forged, hex(AEAD_AAD));
            }
        }
        assertOpensNot(key, hex(AEAD_NONCE), hex(AEAD_CIPHERTEXT), Arrays.copyOf(full, 11), hex(AEAD_AAD));
        assertOpensNot(key, hex(AEAD_NONCE), hex(AEAD_CIPHERTEXT), Arrays.copyOf(full, 17), hex(AEAD_AAD));
        assertOpensNot(key, hex(AEAD_NONCE), hex(AEAD_CIPHERTEXT), Arrays.copyOfRange(full, 4, 16), hex(AEAD_AAD));
    }

    @Test
    void aChangedCiphertextNonceOrAssociatedDataDoesNotOpen() {
        LoadedKey key = key(KeyType.CHACHA20_POLY1305, AEAD_KEY);
        byte[] ciphertext = hex(AEAD_CIPHERTEXT);
        ciphertext[0] ^= (byte) 0xff;
        assertOpensNot(key, hex(AEAD_NONCE), ciphertext, hex(AEAD_TAG), hex(AEAD_AAD));
        byte[] nonce = hex(AEAD_NONCE);
        nonce[0] = (byte) 0xff;
        assertOpensNot(key, nonce, hex(AEAD_CIPHERTEXT), hex(AEAD_TAG), hex(AEAD_AAD));
        assertOpensNot(key, hex(AEAD_NONCE), hex(AEAD_CIPHERTEXT), hex(AEAD_TAG), null);
        assertOpensNot(key, hex(AEAD_NONCE), hex(AEAD_CIPHERTEXT), Arrays.copyOf(hex(AEAD_TAG), 12), null);
        assertOpensNot(key, Arrays.copyOf(hex(AEAD_NONCE), 8), hex(AEAD_CIPHERTEXT), hex(AEAD_TAG), hex(AEAD_AAD));
    }

    @Test
    void aServerChosenNonceIsFreshAndRoundTrips() {
        LoadedKey key = CRYPTO.load(KeyType.CHACHA20_POLY1305, CRYPTO.generate(KeyType.CHACHA20_POLY1305));
        byte[] plaintext = "attack at dawn".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CipherOutput first = CRYPTO.encrypt(key, Scheme.CHACHA20_POLY1305, plaintext, null, null);
        CipherOutput second = CRYPTO.encrypt(key, Scheme.CHACHA20_POLY1305, plaintext, null, null);
        assertEquals(12, first.iv().length);
        assertFalse(Arrays.equals(first.iv(), second.iv()));
        assertFalse(Arrays.equals(first.ciphertext(), second.ciphertext()));
        assertArrayEquals(plaintext, CRYPTO.decrypt(key, Scheme.CHACHA20_POLY1305, first.iv(), first.ciphertext(),
                first.tag(), null));
        LoadedKey stream = CRYPTO.load(KeyType.CHACHA20, CRYPTO.generate(KeyType.CHACHA20));
        CipherOutput bare = CRYPTO.encrypt(stream, Scheme.CHACHA20, plaintext, null, null);
        assertEquals(12, bare.iv().length);
        assertEquals(null, bare.tag());
        assertArrayEquals(plaintext, CRYPTO.decrypt(stream, Scheme.CHACHA20, bare.iv(), bare.ciphertext(), null, null));
    }

    @Test
    void argumentsOutsideTheSchemeAreRefusedByName() {
        LoadedKey aead = key(KeyType.CHACHA20_POLY1305, AEAD_KEY);
        LoadedKey stream = key(KeyType.CHACHA20, AEAD_KEY);
        invalid("12-byte nonce", () -> CRYPTO.encrypt(aead, Scheme.CHACHA20_POLY1305, new byte[1], new byte[8], null));
        invalid("or 8-byte", () -> CRYPTO.encrypt(stream, Scheme.CHACHA20, new byte[1], new byte[16], null));
        invalid("associated data", () -> CRYPTO.encrypt(stream, Scheme.CHACHA20, new byte[1], null, new byte[1]));
        invalid("does not fit", () -> CRYPTO.encrypt(stream, Scheme.CHACHA20_POLY1305, new byte[1], null, null));
        invalid("does not fit", () -> CRYPTO.encrypt(aead, Scheme.CHACHA20, new byte[1], null, null));
        invalid("does not fit", () -> CRYPTO.encrypt(aead, Scheme.AES_GCM, new byte[1], null, null));
        invalid("must be 32 bytes", () -> CRYPTO.load(KeyType.CHACHA20, KeyMaterial.adopt(new byte[16])));
    }

    private static void invalid(String messagePart, org.junit.jupiter.api.function.Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains(messagePart), error.getMessage());
    }

    private static void assertOpensNot(LoadedKey key, byte[] nonce, byte[] ciphertext, byte[] tag, byte[] aad) {
        KmsError error = assertThrows(KmsError.class,
                () -> CRYPTO.decrypt(key, Scheme.CHACHA20_POLY1305, nonce, ciphertext, tag, aad));
        assertTrue(error.isDecryptionFailure(), error.getMessage());
    }
}
