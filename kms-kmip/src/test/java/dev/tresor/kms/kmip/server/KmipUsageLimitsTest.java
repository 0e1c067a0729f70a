package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KMIP Usage Limits over the real TLS listener: the core enforces them (Permission Denied once
 * spent, as CS-BC-M-7 expects) and Get Attributes reports what remains in Usage Limits Count.
 */
class KmipUsageLimitsTest {
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int SECRET_DATA = 0x07;
    private static final int AES = 0x03;
    private static final int ECB = 0x02;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int BYTE = 0x01;
    private static final int OBJECT = 0x02;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static Ttlv limits(long total, int unit) {
        return Ttlv.structure(Tag.USAGE_LIMITS, Ttlv.longInteger(Tag.USAGE_LIMITS_TOTAL, total),
                Ttlv.enumeration(Tag.USAGE_LIMITS_UNIT, unit));
    }

    private static String limitedAes(Kmip kmip, Ttlv limits) throws Exception {
        return kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT),
                Ttlv.dateTime(Tag.ACTIVATION_DATE, LOOPBACK.server().core.clock().instant()
                        .truncatedTo(ChronoUnit.SECONDS).minusSeconds(5)), limits))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    private static Ttlv ecb() {
        return Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, ECB));
    }

    @Test
    void aByteLimitIsSpentByEncryptAndThenRefusedAsPermissionDeniedInEveryVersion() throws Exception {
        for (ProtocolVersion version : new ProtocolVersion[] {ProtocolVersion.V1_4, ProtocolVersion.V2_1}) {
            try (KmipTestClient client = LOOPBACK.server().client()) {
                Kmip kmip = new Kmip(client, version);
                String uid = limitedAes(kmip, limits(32, BYTE));
                Ttlv block = Ttlv.bytes(Tag.DATA, Bytes.of(new byte[16]));
                Ttlv ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), ecb(), block).require(Tag.DATA);
                kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), ecb(), block);
                assertEquals(ResultReason.PERMISSION_DENIED.code(), kmip.refused(Operation.ENCRYPT, Kmip.uid(uid), ecb(),
                        block), version.toString());
                kmip.ok(Operation.DECRYPT, Kmip.uid(uid), ecb(), ciphertext);
            }
        }
    }

    @Test
    void getAttributesReportsTheTotalTheUnitAndWhatRemains() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = limitedAes(kmip, limits(3, OBJECT));
            kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), ecb(), Ttlv.bytes(Tag.DATA, Bytes.of(new byte[32])));
            Ttlv reported = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid),
                    Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE, Tag.USAGE_LIMITS.code()))
                    .require(Tag.ATTRIBUTES).require(Tag.USAGE_LIMITS);
            assertEquals(3, reported.require(Tag.USAGE_LIMITS_TOTAL).asLong());
            assertEquals(2, reported.require(Tag.USAGE_LIMITS_COUNT).asLong());
            assertEquals(OBJECT, reported.require(Tag.USAGE_LIMITS_UNIT).asEnum());
        }
    }

    @Test
    void impossibleLimitsAndLimitsOnObjectsThatProtectNothingAreRefused() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.CREATE,
                    Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128),
                            Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT), limits(0, BYTE))));
            assertEquals(ResultReason.FEATURE_NOT_SUPPORTED.code(), kmip.refused(Operation.REGISTER,
                    Ttlv.enumeration(Tag.OBJECT_TYPE, SECRET_DATA), kmip.attributes(limits(10, OBJECT)),
                    Ttlv.structure(Tag.SECRET_DATA, Ttlv.enumeration(Tag.SECRET_DATA_TYPE, 1),
                            Ttlv.structure(Tag.KEY_BLOCK, Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 2),
                                    Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[8])))))));
        }
    }
}
