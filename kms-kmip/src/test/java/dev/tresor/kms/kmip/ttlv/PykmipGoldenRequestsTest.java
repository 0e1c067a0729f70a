package dev.tresor.kms.kmip.ttlv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.OasisTestCases;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The three requests PyKMIP 0.10 encoded (Create, Get, Encrypt at KMIP 1.2) decode and re-encode byte for byte. */
class PykmipGoldenRequestsTest {
    private static final Pattern HEADING = Pattern.compile("^(Whole RequestMessage|Request payload only).*, (\\d+) bytes.*:$");

    record Golden(String heading, int length, byte[] bytes) {
    }

    static List<Golden> goldens() throws IOException {
        List<String> lines = Files.readAllLines(OasisTestCases.root().resolve("pykmip-golden-requests.txt"));
        List<Golden> goldens = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher heading = HEADING.matcher(lines.get(i));
            if (heading.matches()) {
                StringBuilder hex = new StringBuilder();
                for (int j = i + 1; j < lines.size() && lines.get(j).matches("[0-9a-f]+"); j++) {
                    hex.append(lines.get(j));
                }
                goldens.add(new Golden(lines.get(i), Integer.parseInt(heading.group(2)),
                        HexFormat.of().parseHex(hex)));
            }
        }
        return goldens;
    }

    @Test
    void everyGoldenEncodingDecodesAndReencodesIdentically() throws IOException {
        List<Golden> goldens = goldens();
        assertEquals(6, goldens.size(), "three payloads and three whole messages");
        for (Golden golden : goldens) {
            assertEquals(golden.length(), golden.bytes().length, golden.heading());
            Ttlv decoded = TtlvReader.read(golden.bytes(), TtlvLimits.DEFAULT);
            assertArrayEquals(golden.bytes(), TtlvWriter.write(decoded), golden.heading());
        }
    }

    @Test
    void goldenGetCarriesTheUnicodeIdentifierAndOperation() throws IOException {
        Ttlv get = TtlvReader.read(goldens().get(3).bytes(), TtlvLimits.DEFAULT);
        Ttlv item = get.require(Tag.BATCH_ITEM);
        assertEquals(0x0A, item.require(Tag.OPERATION).asEnum());
        assertEquals("1f165d65-cbbd-4bd6-9867-80e0b390acf9",
                item.require(Tag.REQUEST_PAYLOAD).require(Tag.UNIQUE_IDENTIFIER).asText());
        assertEquals(2, get.require(Tag.REQUEST_HEADER).require(Tag.PROTOCOL_VERSION)
                .require(Tag.PROTOCOL_VERSION_MINOR).asInt());
    }
}
