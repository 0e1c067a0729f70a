package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.OasisTestCases;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance runner takes the plaintext of a Decrypt of a literal ciphertext under an AES key
 * the server generated from the server (CS-BC-M-2 decrypts the recording server's ciphertext), but
 * verifies it by decrypting the ciphertext itself under the key's material from its own Get: the
 * server's true plaintext passes, any other fails, in the helper and in the replay of the files.
 * Against a real server over TLS.
 */
class PlaintextCheckTest {
    private static final int ECB = 0x02;
    private static final int CBC = 0x01;
    private static final int PKCS5 = 0x03;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final String BLOCK = "01020304050607080910111213141516";

    /** Under this run's random key the true plaintext is not the recorded one: the server's, one bit flipped. */
    private static final Pattern LOCAL_MISMATCH = Pattern.compile("message 1: the Decrypt's plaintext (\\p{XDigit}{32}) is "
            + "not (\\p{XDigit}{32}), the file's Data decrypted locally \\(AES/ECB/NoPadding\\) under the key's material");

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void theServersPlaintextPassesAndAnyOtherFails() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String key = activeAes128(kmip, Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS,
                    Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, ECB)));
            Ttlv ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(key), data(BLOCK)).require(Tag.DATA);
            Ttlv decrypt = Requests.message(ProtocolVersion.V1_4, Requests.item(Operation.DECRYPT, Kmip.uid(key),
                    ciphertext));
            PlaintextCheck.Decryption ecb = new PlaintextCheck.Decryption(0, "AES/ECB/NoPadding");

            assertEquals(Optional.empty(), PlaintextCheck.verify(client::call, decrypt, client.call(decrypt), ecb));
            String wrong = "0102030405060708091011121314151f";
            assertEquals(Optional.of("the Decrypt's plaintext " + wrong + " is not " + BLOCK
                            + ", the file's Data decrypted locally (AES/ECB/NoPadding) under the key's material"),
                    PlaintextCheck.verify(client::call, decrypt, answered(key, wrong), ecb));
        }
    }

    @Test
    void cbcDecryptsUnderTheRequestsIv() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = activeAes128(kmip);
            Ttlv parameters = Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, CBC),
                    Ttlv.enumeration(Tag.PADDING_METHOD, PKCS5));
            Ttlv iv = Ttlv.bytes(Tag.IV_COUNTER_NONCE, Bytes.wrap(new byte[16]));
            Ttlv ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(key), parameters, data(BLOCK), iv)
                    .require(Tag.DATA);
            Ttlv decrypt = Requests.message(ProtocolVersion.V2_1, Requests.item(Operation.DECRYPT, Kmip.uid(key),
                    parameters, ciphertext, iv));
            Ttlv answer = client.call(decrypt);
            Ttlv otherIv = Ttlv.bytes(Tag.IV_COUNTER_NONCE, Bytes.wrap(HexFormat.of().parseHex(BLOCK)));
            Ttlv underOtherIv = Requests.message(ProtocolVersion.V2_1, Requests.item(Operation.DECRYPT,
                    Kmip.uid(key), parameters, ciphertext, otherIv));
            PlaintextCheck.Decryption cbc = new PlaintextCheck.Decryption(0, "AES/CBC/PKCS5Padding");

            assertEquals(Optional.empty(), PlaintextCheck.verify(client::call, decrypt, answer, cbc));
            Optional<String> problem = PlaintextCheck.verify(client::call, underOtherIv, answer, cbc);
            assertTrue(problem.orElseThrow().startsWith("the Decrypt's plaintext " + BLOCK + " is not "),
                    problem.orElseThrow());
        }
    }

    @Test
    void aKeyTheRunnerCannotGetFailsTheCheck() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000,
                new KmipLegacy(false, false), KmipTestClient.Offer.DEFAULT)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String unexportable = activeAes128(kmip);
            Ttlv decrypt = Requests.message(ProtocolVersion.V2_1, Requests.item(Operation.DECRYPT,
                    Kmip.uid(unexportable), data("fd912d102dbb482f6f6e91bd57119095")));

            Optional<String> problem = PlaintextCheck.verify(client::call, decrypt, answered(unexportable, BLOCK),
                    new PlaintextCheck.Decryption(0, "AES/ECB/NoPadding"));
            assertTrue(problem.orElseThrow().startsWith("the runner's Get of the key, to check the Decrypt's "
                    + "plaintext, failed"), problem.orElseThrow());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.3/mandatory/CS-BC-M-2-13.xml", "1.4/mandatory/CS-BC-M-2-14.xml",
            "2.0/mandatory/CS-BC-M-2-20.xml", "2.1/mandatory/CS-BC-M-2-21.xml"})
    void aReplayOfCsBcM2PassesOnlyWithTheTruePlaintext(String name) throws Exception {
        Path file = OasisTestCases.root().resolve(name);
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            assertEquals(Optional.empty(), replay(file, client::call));
        }
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            String problem = replay(file, request -> decryptsAltered(client.call(request))).orElseThrow();
            Matcher found = LOCAL_MISMATCH.matcher(problem);
            assertTrue(found.matches(), problem);
            byte[] sent = HexFormat.of().parseHex(found.group(1));
            sent[0] ^= 0x01;
            assertEquals(found.group(2), HexFormat.of().formatHex(sent), "the plaintext the server decrypted, one bit off");
        }
    }

    @Test
    void csBcM3KeepsItsExactPlaintextComparison() throws Exception {
        Path file = OasisTestCases.root().resolve("1.4/mandatory/CS-BC-M-3-14.xml");
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            assertEquals(Optional.empty(), replay(file, client::call));
        }
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            String problem = replay(file, request -> decryptsAltered(client.call(request))).orElseThrow();
            assertTrue(problem.endsWith("/Data: expected '" + BLOCK + "', got '00020304050607080910111213141516'"),
                    problem);
        }
    }

    private static Optional<String> replay(Path file, OasisConformanceTest.Transport transport) throws Exception {
        return OasisConformanceTest.replay(file, transport, new ServerRandom(), LOOPBACK.server().core.clock());
    }

    /** The answer with the first bit of every Decrypt's plaintext flipped, as a wrong server would send it. */
    private static Ttlv decryptsAltered(Ttlv answer) {
        List<Ttlv> items = new ArrayList<>();
        for (Ttlv item : answer.items()) {
            boolean decrypt = item.is(Tag.BATCH_ITEM)
                    && item.require(Tag.OPERATION).asEnum() == Operation.DECRYPT.code();
            items.add(decrypt ? flipped(item) : item);
        }
        return Ttlv.structure(answer.tag(), items);
    }

    private static Ttlv flipped(Ttlv node) {
        if (node.is(Tag.DATA)) {
            byte[] bytes = node.asBytes().toArray();
            bytes[0] ^= 0x01;
            return Ttlv.bytes(Tag.DATA, Bytes.wrap(bytes));
        }
        return node.type() == ItemType.STRUCTURE ? Ttlv.structure(node.tag(), node.items().stream()
                .map(PlaintextCheckTest::flipped).toList()) : node;
    }

    /** A new Active AES-128 Encrypt/Decrypt key the server generated, with {@code extra} attributes. */
    private static String activeAes128(Kmip kmip, Ttlv... extra) throws Exception {
        List<Ttlv> attributes = new ArrayList<>(List.of(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK,
                        ENCRYPT_DECRYPT)));
        attributes.addAll(List.of(extra));
        String key = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02),
                kmip.attributes(attributes.toArray(Ttlv[]::new))).require(Tag.UNIQUE_IDENTIFIER).asText();
        kmip.ok(Operation.ACTIVATE, Kmip.uid(key));
        return key;
    }

    private static Ttlv data(String hex) {
        return Ttlv.bytes(Tag.DATA, Bytes.wrap(HexFormat.of().parseHex(hex)));
    }

    /** A Decrypt answer as a server could have sent it, with {@code plaintext}. */
    private static Ttlv answered(String uid, String plaintext) {
        return Ttlv.structure(Tag.RESPONSE_MESSAGE, Ttlv.structure(Tag.BATCH_ITEM,
                Ttlv.enumeration(Tag.OPERATION, Operation.DECRYPT.code()), Ttlv.enumeration(Tag.RESULT_STATUS, 0),
                Ttlv.structure(Tag.RESPONSE_PAYLOAD, Kmip.uid(uid), data(plaintext))));
    }
}
