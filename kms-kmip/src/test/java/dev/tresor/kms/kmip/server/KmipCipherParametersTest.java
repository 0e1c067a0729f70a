package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cipher parameters PKCS#11 clients need (PKCS11.md section 3): AES-GCM tags of 12 to 16
 * bytes, GCM over empty data, and the RSA-OAEP label in P Source. Real TLS, real core.
 */
class KmipCipherParametersTest {
    private static final int AES = 0x03;
    private static final int RSA = 0x04;
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final byte[] PLAINTEXT = "sixteen byte msg".getBytes(StandardCharsets.US_ASCII);
    private static final Bytes IV = Bytes.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static String activeAes(Kmip kmip) throws Exception {
        String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT))).require(Tag.UNIQUE_IDENTIFIER).asText();
        kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
        return uid;
    }

    private static Ttlv gcm(int tagLength) {
        return Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, 0x09),
                Ttlv.integer(Tag.TAG_LENGTH, tagLength));
    }

    @Test
    void gcmTagsOfTwelveToFifteenBytesAreTheLeadingBytesOfTheFullTagAndAreChecked() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = activeAes(kmip);
            Ttlv full = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), gcm(16), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV));
            byte[] fullTag = full.require(Tag.AUTHENTICATED_ENCRYPTION_TAG).asBytes().toArray();
            for (int length = 12; length <= 15; length++) {
                Ttlv cut = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), gcm(length),
                        Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)), Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV));
                byte[] tag = cut.require(Tag.AUTHENTICATED_ENCRYPTION_TAG).asBytes().toArray();
                assertArrayEquals(Arrays.copyOf(fullTag, length), tag);
                Ttlv data = cut.require(Tag.DATA);
                assertArrayEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(uid), gcm(length), data,
                        Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV), Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, Bytes.of(tag)))
                        .require(Tag.DATA).asBytes().toArray());
                tag[length - 1] ^= 1;
                assertEquals(ResultReason.CRYPTOGRAPHIC_FAILURE.code(), kmip.refused(Operation.DECRYPT, Kmip.uid(uid),
                        gcm(length), data, Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV),
                        Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, Bytes.of(tag))));
            }
            for (int length : new int[] {1, 8, 11, 17, 32}) {
                assertEquals(ResultReason.GENERAL_FAILURE.code(), kmip.refused(Operation.ENCRYPT, Kmip.uid(uid),
                        gcm(length), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)), Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV)),
                        "Tag Length " + length + ", as CS-BC-M-GCM-1 expects");
            }
            Ttlv data = full.require(Tag.DATA);
            Ttlv fullTagItem = Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, Bytes.of(fullTag));
            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.DECRYPT, Kmip.uid(uid), gcm(12),
                    data, Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV), fullTagItem), "a 16-byte tag where Tag Length says 12");
        }
    }

    @Test
    void aTwelveByteTagAppendedBeforeOneFourIsSplitByTagLength() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_2);
            String uid = activeAes(kmip);
            Bytes sealed = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), gcm(12), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV)).require(Tag.DATA).asBytes();
            assertEquals(PLAINTEXT.length + 12, sealed.length());
            assertArrayEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(uid), gcm(12), Ttlv.bytes(Tag.DATA, sealed),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV)).require(Tag.DATA).asBytes().toArray());
        }
    }

    @Test
    void gcmOverEmptyDataAuthenticatesTheAdditionalDataOnly() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = activeAes(kmip);
            Bytes aad = Bytes.of("volume-7".getBytes(StandardCharsets.US_ASCII));
            Ttlv sealed = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), gcm(16), Ttlv.bytes(Tag.DATA, Bytes.of(new byte[0])),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV), Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, aad));
            assertEquals(0, sealed.require(Tag.DATA).asBytes().length());
            Ttlv tag = sealed.require(Tag.AUTHENTICATED_ENCRYPTION_TAG);
            assertEquals(16, tag.asBytes().length());
            assertEquals(0, kmip.ok(Operation.DECRYPT, Kmip.uid(uid), gcm(16), sealed.require(Tag.DATA),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV), Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, aad), tag)
                    .require(Tag.DATA).asBytes().length());
            assertEquals(ResultReason.CRYPTOGRAPHIC_FAILURE.code(), kmip.refused(Operation.DECRYPT, Kmip.uid(uid),
                    gcm(16), sealed.require(Tag.DATA), Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV),
                    Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA,
                            Bytes.of("volume-8".getBytes(StandardCharsets.US_ASCII))), tag));
        }
    }

    @Test
    void theOaepLabelTravelsInPSourceBothWays() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv pair = kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, RSA), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT)));
            String privateKey = pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
            String publicKey = pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();
            for (String uid : List.of(privateKey, publicKey)) {
                kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            }
            byte[] label = "tenant-a/volume-1".getBytes(StandardCharsets.US_ASCII);
            byte[] spki = kmip.ok(Operation.GET, Kmip.uid(publicKey)).require(Tag.PUBLIC_KEY).require(Tag.KEY_BLOCK)
                    .require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes().toArray();
            PublicKey jdkKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
            Cipher jdk = Cipher.getInstance("RSA/ECB/OAEPPadding");
            jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                    new PSource.PSpecified(label)));
            Bytes fromJdk = Bytes.of(jdk.doFinal(PLAINTEXT));

            Ttlv labelled = oaep(label);
            assertArrayEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(privateKey), labelled,
                    Ttlv.bytes(Tag.DATA, fromJdk)).require(Tag.DATA).asBytes().toArray());
            assertEquals(ResultReason.CRYPTOGRAPHIC_FAILURE.code(), kmip.refused(Operation.DECRYPT, Kmip.uid(privateKey),
                    oaep(new byte[0]), Ttlv.bytes(Tag.DATA, fromJdk)), "the label is checked");

            Bytes fromTresor = kmip.ok(Operation.ENCRYPT, Kmip.uid(publicKey), labelled,
                    Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT))).require(Tag.DATA).asBytes();
            assertArrayEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, Kmip.uid(privateKey), labelled,
                    Ttlv.bytes(Tag.DATA, fromTresor)).require(Tag.DATA).asBytes().toArray());
        }
    }

    private static Ttlv oaep(byte[] label) {
        return Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.PADDING_METHOD, 0x02),
                Ttlv.enumeration(Tag.HASHING_ALGORITHM, 0x06), Ttlv.enumeration(Tag.MASK_GENERATOR, 1),
                Ttlv.enumeration(Tag.MASK_GENERATOR_HASHING_ALGORITHM, 0x06), Ttlv.bytes(Tag.P_SOURCE, Bytes.of(label)));
    }
}
