package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KMIP Cryptographic Algorithm ChaCha20 and ChaCha20Poly1305 over the real TLS listener: the
 * algorithm a key was registered with comes back, a ChaCha20 key encrypts with a 64- or 96-bit
 * nonce, the AEAD takes associated data and a Tag Length, and its tag goes into Data for 1.2.
 */
class KmipChaChaTest {
    private static final int CHACHA20 = 0x1C;
    private static final int CHACHA20_POLY1305 = 0x1E;
    private static final int AEAD = 0x12;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] AEAD_KEY = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    private static final Bytes AEAD_NONCE = Bytes.of(HEX.parseHex("070000004041424344454647"));
    private static final Bytes AEAD_AAD = Bytes.of(HEX.parseHex("50515253c0c1c2c3c4c5c6c7"));
    private static final Bytes PLAINTEXT = Bytes.of("Ladies and Gentlemen of the class of '99".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static String register(Kmip kmip, int algorithm, byte[] key) throws Exception {
        return kmip.registerActiveKey(LOOPBACK.server().core.clock().instant(), algorithm, 256, ENCRYPT_DECRYPT,
                Bytes.of(key));
    }

    private static int registeredAlgorithm(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET, Kmip.uid(uid)).require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK)
                .require(Tag.CRYPTOGRAPHIC_ALGORITHM).asEnum();
    }

    private static Ttlv aead(int tagLength) {
        return Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, AEAD),
                Ttlv.integer(Tag.TAG_LENGTH, tagLength));
    }

    @Test
    void aChaCha20KeyEncryptsAsTheJdkDoesWithA64Or96BitNonceAndKeepsItsAlgorithm() throws Exception {
        byte[] key = new byte[32];
        key[31] = 1;
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = register(kmip, CHACHA20, key);
            Ttlv none = Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS);
            for (byte[] nonce : new byte[][] {new byte[8], HEX.parseHex("000000000000000000000002")}) {
                Bytes ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), none, Ttlv.bytes(Tag.DATA, PLAINTEXT),
                        Ttlv.bytes(Tag.IV_COUNTER_NONCE, Bytes.of(nonce))).require(Tag.DATA).asBytes();
                Cipher jdk = Cipher.getInstance("ChaCha20");
                jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"),
                        new ChaCha20ParameterSpec(nonce.length == 8 ? concat(new byte[4], nonce) : nonce, 0));
                assertArrayEquals(jdk.doFinal(PLAINTEXT.toArray()), ciphertext.toArray());
                assertEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(uid), none, Ttlv.bytes(Tag.DATA, ciphertext),
                        Ttlv.bytes(Tag.IV_COUNTER_NONCE, Bytes.of(nonce))).require(Tag.DATA).asBytes());
            }
            Ttlv made = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, PLAINTEXT));
            assertEquals(12, made.require(Tag.IV_COUNTER_NONCE).asBytes().length());
            assertEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(uid), made.require(Tag.DATA),
                    made.require(Tag.IV_COUNTER_NONCE)).require(Tag.DATA).asBytes());
            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.ENCRYPT, Kmip.uid(uid), aead(16),
                    Ttlv.bytes(Tag.DATA, PLAINTEXT)), "a ChaCha20 key is not a ChaCha20-Poly1305 key");
            assertEquals(CHACHA20, registeredAlgorithm(kmip, uid));
        }
    }

    @Test
    void chaCha20Poly1305TakesAssociatedDataAndShortTagsAndRefusesImpossibleTagLengths() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = register(kmip, CHACHA20_POLY1305, AEAD_KEY);
            Ttlv sealed = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), aead(16), Ttlv.bytes(Tag.DATA, PLAINTEXT),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, AEAD_NONCE), Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, AEAD_AAD));
            Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(AEAD_KEY, "ChaCha20"),
                    new javax.crypto.spec.IvParameterSpec(AEAD_NONCE.toArray()));
            jdk.updateAAD(AEAD_AAD.toArray());
            byte[] expected = jdk.doFinal(PLAINTEXT.toArray());
            byte[] tag = sealed.require(Tag.AUTHENTICATED_ENCRYPTION_TAG).asBytes().toArray();
            assertArrayEquals(expected, concat(sealed.require(Tag.DATA).asBytes().toArray(), tag));

            byte[] shortTag = Arrays.copyOf(tag, 12);
            assertEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(uid), aead(12), sealed.require(Tag.DATA),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, AEAD_NONCE), Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, AEAD_AAD),
                    Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, Bytes.of(shortTag))).require(Tag.DATA).asBytes());
            shortTag[0] ^= 1;
            assertEquals(ResultReason.CRYPTOGRAPHIC_FAILURE.code(), kmip.refused(Operation.DECRYPT, Kmip.uid(uid),
                    aead(12), sealed.require(Tag.DATA), Ttlv.bytes(Tag.IV_COUNTER_NONCE, AEAD_NONCE),
                    Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, AEAD_AAD),
                    Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, Bytes.of(shortTag))));
            for (int length : new int[] {1, 32}) {
                assertEquals(ResultReason.GENERAL_FAILURE.code(), kmip.refused(Operation.ENCRYPT, Kmip.uid(uid),
                        aead(length), Ttlv.bytes(Tag.DATA, PLAINTEXT), Ttlv.bytes(Tag.IV_COUNTER_NONCE, AEAD_NONCE)));
            }
            assertEquals(CHACHA20_POLY1305, registeredAlgorithm(kmip, uid));
        }
    }

    @Test
    void aKmip12ClientGetsTheTagAppendedToDataAndSendsItBackThatWay() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_2);
            String uid = register(kmip, CHACHA20_POLY1305, AEAD_KEY);
            Ttlv sealed = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), aead(16), Ttlv.bytes(Tag.DATA, PLAINTEXT));
            assertTrue(sealed.find(Tag.AUTHENTICATED_ENCRYPTION_TAG).isEmpty());
            assertEquals(PLAINTEXT.length() + 16, sealed.require(Tag.DATA).asBytes().length());
            assertEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(uid), aead(16), sealed.require(Tag.DATA),
                    sealed.require(Tag.IV_COUNTER_NONCE)).require(Tag.DATA).asBytes());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
