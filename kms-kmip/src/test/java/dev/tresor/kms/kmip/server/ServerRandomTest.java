package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.OasisTestCases;
import dev.tresor.kms.kmip.ttlv.TtlvXml;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Which Decrypts the conformance runner takes the plaintext of from the server (and then checks
 * locally): a literal ciphertext under an AES key the file Created, unless a later step could see
 * the runner's own Get of the key. Read from the OASIS files, with the recorded answers standing in
 * for the server's.
 */
class ServerRandomTest {
    private static final List<PlaintextCheck.Decryption> ECB_FIRST_ITEM = List.of(
            new PlaintextCheck.Decryption(0, "AES/ECB/NoPadding"));

    @Test
    void theDecryptOfCsBcM2IsVerifiedLocallyInEveryVersion() throws Exception {
        for (String file : List.of("1.3/mandatory/CS-BC-M-2-13.xml", "1.4/mandatory/CS-BC-M-2-14.xml",
                "2.0/mandatory/CS-BC-M-2-20.xml", "2.1/mandatory/CS-BC-M-2-21.xml")) {
            assertEquals(List.of(List.of(), ECB_FIRST_ITEM, List.of(), List.of()), verified(file, request -> request),
                    file);
        }
    }

    @Test
    void theDecryptsOfCsBcM3KeepTheExactComparison() throws Exception {
        for (String file : List.of("1.4/mandatory/CS-BC-M-3-14.xml", "2.1/mandatory/CS-BC-M-3-21.xml")) {
            verified(file, request -> request).forEach(found -> assertEquals(List.of(), found, file));
        }
    }

    @Test
    void aDecryptWhoseKeyALaterStepReadsKeepsTheExactComparison() throws Exception {
        UnaryOperator<Element> revokeBecomesGetAttributes = request -> {
            TtlvXml.childElements(request).stream().filter(e -> e.getTagName().equals("BatchItem"))
                    .flatMap(item -> TtlvXml.childElements(item).stream())
                    .filter(e -> e.getTagName().equals("Operation") && e.getAttribute("value").equals("Revoke"))
                    .forEach(e -> e.setAttribute("value", "GetAttributes"));
            return request;
        };
        assertEquals(List.of(List.of(), List.of(), List.of(), List.of()),
                verified("1.4/mandatory/CS-BC-M-2-14.xml", revokeBecomesGetAttributes));
    }

    /** Per message of the file (its requests first changed by {@code edit}), the Decrypts to verify. */
    private static List<List<PlaintextCheck.Decryption>> verified(String name, UnaryOperator<Element> edit)
            throws Exception {
        List<OasisTestCases.Exchange> exchanges = OasisTestCases.exchanges(OasisTestCases.root().resolve(name));
        List<Element> requests = exchanges.stream().map(e -> edit.apply(e.request())).toList();
        ServerRandom random = new ServerRandom();
        List<List<PlaintextCheck.Decryption>> verified = new ArrayList<>();
        for (int i = 0; i < exchanges.size(); i++) {
            Element response = exchanges.get(i).response();
            random.prepareRequest(requests.get(i));
            random.learn(requests.get(i), response);
            verified.add(random.prepareResponse(requests.get(i), response, response, new HashMap<>(),
                    requests.subList(i + 1, requests.size())).decryptsToVerify());
        }
        return verified;
    }
}
