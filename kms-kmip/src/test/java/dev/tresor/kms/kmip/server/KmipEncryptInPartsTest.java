package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Encrypt in parts over the real TLS listener (Init Indicator, Correlation Value, Final
 * Indicator) with the GCM spec's test case 5 (a 64-bit IV, associated data): the parts give its
 * ciphertext and tag; a 1.2 client gets the tag appended to the last Data; an unknown Correlation
 * Value is Item Not Found; Decrypt in parts is refused.
 */
class KmipEncryptInPartsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int AES = 0x03;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final Bytes KEY = bytes("feffe9928665731c6d6a8f9467308308");
    private static final Bytes IV = bytes("cafebabefacedbad");
    private static final Bytes AAD = bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    private static final String PLAINTEXT = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    private static final String CIPHERTEXT = "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
            + "73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598";
    private static final String TAG = "3612d2e79e3b0785561be14aaca2fccb";

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static Bytes bytes(String hex) {
        return Bytes.of(HEX.parseHex(hex));
    }

    private static String register(Kmip kmip) throws Exception {
        return kmip.registerActiveKey(LOOPBACK.server().core.clock().instant(), AES, 128, ENCRYPT_DECRYPT, KEY);
    }

    private static Ttlv gcm() {
        return Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, 0x09),
                Ttlv.integer(Tag.TAG_LENGTH, 16));
    }

    /** Encrypts the test case in three parts; answers the ciphertext and the last part's answer. */
    private static Ttlv[] inParts(Kmip kmip, String uid) throws Exception {
        String plaintext = PLAINTEXT;
        Ttlv first = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), gcm(), Ttlv.bytes(Tag.DATA, bytes(plaintext.substring(0, 64))),
                Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV), Ttlv.bool(Tag.INIT_INDICATOR, true),
                Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA, AAD));
        Ttlv correlation = first.require(Tag.CORRELATION_VALUE);
        Ttlv second = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, bytes(plaintext.substring(64, 90))),
                correlation);
        assertEquals(correlation.asBytes(), second.require(Tag.CORRELATION_VALUE).asBytes());
        Ttlv last = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), gcm(), Ttlv.bytes(Tag.DATA, bytes(plaintext.substring(90))),
                correlation, Ttlv.bool(Tag.FINAL_INDICATOR, true));
        assertTrue(last.find(Tag.CORRELATION_VALUE).isEmpty());
        return new Ttlv[] {first, second, last};
    }

    private static String hex(Ttlv... answers) {
        StringBuilder joined = new StringBuilder();
        for (Ttlv answer : answers) {
            joined.append(HEX.formatHex(answer.require(Tag.DATA).asBytes().toArray()));
        }
        return joined.toString();
    }

    @Test
    void thePartsGiveTheTestCaseCiphertextAndTag() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv[] parts = inParts(kmip, register(kmip));
            assertEquals(CIPHERTEXT, hex(parts));
            assertEquals(TAG, HEX.formatHex(parts[2].require(Tag.AUTHENTICATED_ENCRYPTION_TAG).asBytes().toArray()));
        }
    }

    @Test
    void aKmip13ClientGetsTheTagAppendedToTheLastData() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_3);
            Ttlv[] parts = inParts(kmip, register(kmip));
            assertEquals(CIPHERTEXT + TAG, hex(parts));
        }
    }

    @Test
    void anUnknownCorrelationValueIsNotFoundAndDecryptInPartsIsRefused() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = register(kmip);
            assertEquals(ResultReason.OBJECT_NOT_FOUND.code(), kmip.refused(Operation.ENCRYPT, Kmip.uid(uid),
                    Ttlv.bytes(Tag.DATA, bytes("00")), Ttlv.bytes(Tag.CORRELATION_VALUE, bytes("00112233"))));
            assertEquals(ResultReason.FEATURE_NOT_SUPPORTED.code(), kmip.refused(Operation.DECRYPT, Kmip.uid(uid), gcm(),
                    Ttlv.bytes(Tag.DATA, bytes(CIPHERTEXT)), Ttlv.bytes(Tag.IV_COUNTER_NONCE, IV),
                    Ttlv.bool(Tag.INIT_INDICATOR, true)));
        }
    }
}
