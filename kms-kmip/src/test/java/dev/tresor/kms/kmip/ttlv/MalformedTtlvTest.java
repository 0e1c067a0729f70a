package dev.tresor.kms.kmip.ttlv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Broken input is refused with an INVALID_ARGUMENT that names the problem, before any large allocation. */
class MalformedTtlvTest {
    /** A 1.2 Get request as PyKMIP encodes it. */
    private static final byte[] GET = HexFormat.of().parseHex(
            "42007801000000904200770100000038420069010000002042006a0200000004"
            + "000000010000000042006b0200000004000000020000000042000d0200000004"
            + "000000010000000042000f010000004842005c05000000040000000a00000000"
            + "4200790100000030420094070000002431663136356436352d636262642d3462"
            + "64362d393836372d38306530623339306163663900000000");

    private static String refusal(byte[] input, TtlvLimits limits) {
        KmsError error = assertThrows(KmsError.class, () -> TtlvReader.read(input, limits));
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        return error.getMessage();
    }

    @Test
    void theSampleIsWellFormed() {
        assertEquals(0x420078, TtlvReader.read(GET, TtlvLimits.DEFAULT).tag());
    }

    @Test
    void everyTruncationIsRefused() {
        for (int length = 0; length < GET.length; length++) {
            byte[] truncated = java.util.Arrays.copyOf(GET, length);
            assertTrue(refusal(truncated, TtlvLimits.DEFAULT).startsWith("malformed TTLV"), "length " + length);
        }
    }

    @Test
    void aHugeDeclaredLengthIsRefusedWithoutAllocating() {
        byte[] lying = GET.clone();
        lying[4] = (byte) 0x7F;
        assertTrue(refusal(lying, TtlvLimits.DEFAULT).contains("declares"));
        byte[] header = java.util.Arrays.copyOf(lying, 8);
        assertTrue(assertThrows(KmsError.class, () -> TtlvReader.messageLength(header, TtlvLimits.DEFAULT))
                .getMessage().contains("exceeds the limit"));
    }

    @Test
    void aMessageOverTheConfiguredLimitIsRefused() {
        TtlvLimits small = TtlvLimits.DEFAULT.withMaxMessageBytes(64);
        assertTrue(refusal(GET, small).contains("exceeds the limit of 64"));
        assertEquals(GET.length, TtlvReader.messageLength(GET, TtlvLimits.DEFAULT));
    }

    @Test
    void aWrongLengthForAFixedSizeTypeIsRefused() {
        byte[] wrong = GET.clone();
        wrong[31] = 8; // the Protocol Version Major Integer claims 8 bytes
        assertTrue(refusal(wrong, TtlvLimits.DEFAULT).contains("must have length 4"));
    }

    @Test
    void unknownTypesNonZeroPaddingAndBadBooleansAreRefused() {
        byte[] unknownType = GET.clone();
        unknownType[27] = 0x0F;
        assertTrue(refusal(unknownType, TtlvLimits.DEFAULT).contains("unknown item type"));
        byte[] padding = GET.clone();
        padding[GET.length - 1] = 1;
        assertTrue(refusal(padding, TtlvLimits.DEFAULT).contains("padding must be zero"));
        byte[] bool = HexFormat.of().parseHex("4200780100000010" + "4200c60600000008" + "0000000000000002");
        assertTrue(refusal(bool, TtlvLimits.DEFAULT).contains("must be 0 or 1"));
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] text = HexFormat.of().parseHex("4200780100000010" + "4200940700000002" + "c328000000000000");
        assertTrue(refusal(text, TtlvLimits.DEFAULT).contains("not valid UTF-8"));
    }

    @Test
    void nestingBeyondTheLimitIsRefused() {
        int depth = 40;
        byte[] nested = new byte[depth * 8];
        for (int i = 0; i < depth; i++) {
            int length = (depth - i - 1) * 8;
            byte[] header = {0x42, 0x00, 0x78, 0x01, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
            System.arraycopy(header, 0, nested, i * 8, 8);
        }
        assertTrue(refusal(nested, TtlvLimits.DEFAULT).contains("nested deeper than 32"));
        assertEquals(0x420078, TtlvReader.read(nested, new TtlvLimits(1 << 20, 64, 1000)).tag());
    }

    @Test
    void tooManyItemsAreRefused() {
        List<Ttlv> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            items.add(Ttlv.integer(Tag.BATCH_COUNT, i));
        }
        byte[] many = TtlvWriter.write(Ttlv.structure(Tag.REQUEST_MESSAGE, items));
        assertTrue(refusal(many, new TtlvLimits(1 << 20, 32, 100)).contains("more than 100 items"));
    }

    @Test
    void thousandsOfRandomAndMutatedInputsEachGetACleanAnswer() {
        Random random = new Random(5696);
        int refused = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] input = MutatedInputs.of(random, i, 300, GET);
            try {
                Ttlv decoded = TtlvReader.read(input, TtlvLimits.DEFAULT);
                assertEquals(input.length, TtlvWriter.encodedLength(decoded));
            } catch (KmsError e) {
                assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
                refused++;
            }
        }
        assertTrue(refused > 4_000, refused + " refused");
    }
}
