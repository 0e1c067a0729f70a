package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultStatus;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Thousands of broken frames over real TLS sockets: random bytes, truncated and mutated
 * requests, lying lengths, deep nesting. Each gets an error answer or a closed connection,
 * nothing stored changes, and afterwards the server still answers a well-formed request.
 */
class KmipRobustnessTest {
    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension(TtlvLimits.DEFAULT.withMaxMessageBytes(8192));

    @Test
    void brokenFramesGetAnErrorOrAClosedConnectionAndTheServerKeepsServing() throws Exception {
        Ttlv before = storedObjects();
        Random random = new Random(5696);
        byte[] valid = TtlvWriter.write(Requests.discoverVersions(ProtocolVersion.V1_4));
        KmipTestClient client = LOOPBACK.server().client();
        int answered = 0;
        int closed = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] frame = broken(random, valid, i);
            try {
                Ttlv answer = TtlvReader.read(client.exchange(frame), TtlvLimits.DEFAULT);
                assertEquals(1, Requests.items(answer).size());
                answered++;
            } catch (IOException e) {
                closed++;
                client.close();
                client = LOOPBACK.server().client();
            }
        }
        client.close();
        assertTrue(answered > 1500 && closed > 80, answered + " answered, " + closed + " closed");
        try (KmipTestClient fresh = LOOPBACK.server().client()) {
            assertEquals(ResultStatus.SUCCESS.code(), Requests.status(Requests.items(
                    fresh.call(Requests.discoverVersions(ProtocolVersion.V2_1))).get(0)));
        }
        assertEquals(before, storedObjects(), "the broken frames changed what is stored");
    }

    /** Every KMIP object of the project with all its attributes, made once before the barrage. */
    private static Ttlv storedObjects() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            if (kmip.ok(Operation.LOCATE).all(Tag.UNIQUE_IDENTIFIER).isEmpty()) {
                kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 2), kmip.attributes(
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 3), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256)));
            }
            List<Ttlv> all = new ArrayList<>();
            for (Ttlv uid : kmip.ok(Operation.LOCATE).all(Tag.UNIQUE_IDENTIFIER)) {
                all.add(kmip.ok(Operation.GET_ATTRIBUTES, uid));
            }
            return Ttlv.structure(Tag.OBJECTS, all);
        }
    }

    /**
     * A frame whose header is honest about its length (so the client can read an answer) but
     * whose body is broken, or, one time in sixteen, a header the server must refuse outright.
     */
    private static byte[] broken(Random random, byte[] valid, int round) {
        switch (round % 16 == 15 ? 3 : round % 3) {
            case 0 -> {
                byte[] frame = new byte[8 + 8 * random.nextInt(40)];
                random.nextBytes(frame);
                return framed(frame);
            }
            case 1 -> {
                byte[] frame = valid.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    frame[8 + random.nextInt(frame.length - 8)] = (byte) random.nextInt(256);
                }
                return frame;
            }
            case 2 -> {
                byte[] deep = new byte[8 * (33 + random.nextInt(30))];
                for (int depth = 0, at = 0; at < deep.length; depth++, at += 8) {
                    int length = deep.length - at - 8;
                    System.arraycopy(new byte[] {0x42, 0x00, 0x78, 0x01, 0, 0, (byte) (length >>> 8), (byte) length},
                            0, deep, at, 8);
                }
                return deep;
            }
            default -> {
                byte[] header = {0x42, 0x00, 0x78, (byte) (1 + random.nextInt(11)), 0x7F, 0, 0, 0};
                return random.nextBoolean() ? header : new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) random.nextInt(256)};
            }
        }
    }

    private static byte[] framed(byte[] frame) {
        int length = frame.length - 8;
        System.arraycopy(new byte[] {0x42, 0x00, 0x78, 0x01, (byte) (length >>> 24), (byte) (length >>> 16),
                (byte) (length >>> 8), (byte) length}, 0, frame, 0, 8);
        return frame;
    }
}
