package dev.tresor.kms.bench.kmip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.bench.kmip.KmipRequests.RefusedException;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.RequestMessage;
import dev.tresor.kms.kmip.message.ResponseItem;
import dev.tresor.kms.kmip.message.ResponseMessage;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.message.ResultStatus;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.service.Bytes;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class KmipRequestsTest {
    /** The PyKMIP 0.10 client's AES-GCM Encrypt of 16 zero bytes under "k1" at KMIP 1.2 (KMIP.md section 5). */
    private static final String PYKMIP_ENCRYPT_1_2 = "42007801000000d04200770100000038420069010000002042006a0200000004"
            + "000000010000000042006b0200000004000000020000000042000d0200000004"
            + "000000010000000042000f010000008842005c05000000040000001f00000000"
            + "420079010000007042009407000000026b3100000000000042002b0100000040"
            + "4200110500000004000000090000000042002805000000040000000300000000"
            + "4200c5060000000800000000000000014200ce02000000040000001000000000"
            + "4200c2080000001000000000000000000000000000000000";

    /** Offset of the last byte of Protocol Version Minor's value in a request message. */
    private static final int MINOR_VERSION_BYTE = 51;

    @Test
    void encryptIsThePykmipClientsRequestAtVersionOnePointFour() {
        byte[] expected = HexFormat.of().parseHex(PYKMIP_ENCRYPT_1_2);
        assertEquals(2, expected[MINOR_VERSION_BYTE]);
        expected[MINOR_VERSION_BYTE] = 4;

        assertArrayEquals(expected, KmipRequests.encryptGcm("k1", Bytes.wrap(new byte[16])));
    }

    @Test
    void createIsAOnePointFourRequestForAnAes256KeyThatEncryptsAndDecrypts() {
        RequestMessage request = RequestMessage.from(TtlvReader.read(KmipRequests.createAes(256), TtlvLimits.DEFAULT));

        assertEquals(ProtocolVersion.V1_4, request.header().version());
        assertEquals(1, request.items().size());
        assertEquals(Optional.of(Operation.CREATE), request.items().get(0).operation());
        List<Ttlv> attributes = request.items().get(0).payload().require(Tag.TEMPLATE_ATTRIBUTE).all(Tag.ATTRIBUTE);
        assertEquals(List.of("Cryptographic Algorithm", "Cryptographic Length", "Cryptographic Usage Mask"),
                attributes.stream().map(a -> a.require(Tag.ATTRIBUTE_NAME).asText()).toList());
        assertEquals(List.of(3, 256, 0x0C), List.of(attributes.get(0).require(Tag.ATTRIBUTE_VALUE).asEnum(),
                attributes.get(1).require(Tag.ATTRIBUTE_VALUE).asInt(),
                attributes.get(2).require(Tag.ATTRIBUTE_VALUE).asInt()));
    }

    @Test
    void payloadOfASuccessIsItsResponsePayload() throws RefusedException {
        Ttlv payload = Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, "k1"));
        ResponseItem success = new ResponseItem(OptionalInt.of(Operation.CREATE.code()), Optional.empty(),
                ResultStatus.SUCCESS, Optional.empty(), Optional.empty(), Optional.of(payload));

        assertEquals(payload, KmipRequests.payload(response(success)));
    }

    @Test
    void aFailedItemIsRefusedWithItsReasonAndMessage() {
        ResponseItem failure = ResponseItem.messageFailure(ResultReason.PERMISSION_DENIED, "budget spent");

        RefusedException refused = assertThrows(RefusedException.class, () -> KmipRequests.payload(response(failure)));
        assertTrue(refused.getMessage().contains("0xc") && refused.getMessage().contains("budget spent"),
                refused.getMessage());
    }

    private static Ttlv response(ResponseItem item) {
        return new ResponseMessage(ProtocolVersion.V1_4, Instant.now(), List.of(item)).toTtlv();
    }
}
