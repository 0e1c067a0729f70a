package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvJson;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.kmip.ttlv.TtlvXml;
import dev.tresor.kms.tenant.Role;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** KMIP over HTTPS: the three encodings, the same authentication and limits as the TLS listener, and curl as a client. */
class KmipHttpsTest {
    private static final int SYMMETRIC_KEY = 0x02;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension(new TtlvLimits(16 * 1024, 32, 100_000));

    private static Ttlv createAes(String name) {
        return Requests.message(ProtocolVersion.V2_1, Requests.item(Operation.CREATE,
                Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), Ttlv.structure(Tag.ATTRIBUTES,
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C), Kmip.name(name))));
    }

    @Test
    void eachEncodingCreatesAKeyTheTlsListenerSees() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        KmipHttpsTestClient https = server.httpsClient(server.pki.client);
        for (HttpEncoding encoding : HttpEncoding.values()) {
            Ttlv item = Requests.items(https.call(createAes("over-" + encoding), encoding)).get(0);
            assertEquals(0, Requests.status(item), encoding + ": " + item);
            String uid = item.require(Tag.RESPONSE_PAYLOAD).require(Tag.UNIQUE_IDENTIFIER).asText();
            try (KmipTestClient tls = server.client()) {
                Ttlv located = new Kmip(tls, ProtocolVersion.V2_1).ok(Operation.LOCATE,
                        Ttlv.structure(Tag.ATTRIBUTES, Kmip.name("over-" + encoding)));
                assertEquals(uid, located.require(Tag.UNIQUE_IDENTIFIER).asText(), "same project, same core");
            }
        }
    }

    @Test
    void anUnregisteredCertificateIsNotAuthenticated() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        TestPki.Issued stranger = server.pki.newClient("not-registered");
        Ttlv item = Requests.items(server.httpsClient(stranger).call(createAes("nope"), HttpEncoding.JSON)).get(0);
        assertEquals(ResultReason.AUTHENTICATION_NOT_SUCCESSFUL.code(), Requests.reason(item));
    }

    @Test
    void whatIsNotAKmipMessageIsRefusedWithAReason() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        KmipHttpsTestClient https = server.httpsClient(server.certificateOfNewProject(Role.ADMIN, 1000));
        assertRefused(https.post("text/plain", new byte[] {1}), 415, "Content-Type");
        assertRefused(https.post("application/json", "{\"tag\": \"Nope\"}".getBytes(StandardCharsets.UTF_8)), 400,
                "unknown tag Nope");
        String deep = "<RequestMessage>".repeat(40) + "</RequestMessage>".repeat(40);
        assertRefused(https.post("text/xml", deep.getBytes(StandardCharsets.UTF_8)), 400, "deeper than 32");
        assertRefused(https.post("application/octet-stream", new byte[16 * 1024 + 1]), 413, "at most 16384 bytes");
    }

    @Test
    void theRefusalOfAnOversizedBodyReachesAClientStillSendingIt() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        KmipHttpsTestClient https = server.httpsClient(server.certificateOfNewProject(Role.ADMIN, 1000));
        for (int i = 0; i < 5; i++) {
            assertRefused(https.post("application/octet-stream", new byte[512 * 1024]), 413, "at most 16384 bytes");
        }
    }

    @Test
    void curlPostsEachEncodingOverMutualTls(@TempDir Path dir) throws Exception {
        KmipTestServer server = LOOPBACK.server();
        TestPki.Issued certificate = server.certificateOfNewProject(Role.ADMIN, 1000);
        Path cert = Files.writeString(dir.resolve("client.pem"), certificate.certificatePem());
        Path key = Files.writeString(dir.resolve("client.key"), certificate.keyPem());
        Path ca = Files.writeString(dir.resolve("ca.pem"), server.pki.ca.certificatePem());
        Ttlv query = Requests.message(ProtocolVersion.V1_4, Requests.item(Operation.QUERY,
                Ttlv.enumeration(Tag.QUERY_FUNCTION, 1)));
        for (HttpEncoding encoding : HttpEncoding.values()) {
            byte[] body = switch (encoding) {
                case TTLV -> TtlvWriter.write(query);
                case JSON -> TtlvJson.write(query).getBytes(StandardCharsets.UTF_8);
                case XML -> TtlvXml.toXml(query).getBytes(StandardCharsets.UTF_8);
            };
            Path request = Files.write(dir.resolve("request." + encoding), body);
            Path answer = dir.resolve("answer." + encoding);
            List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--fail",
                    "--cacert", ca.toString(), "--cert", cert.toString(), "--key", key.toString(),
                    "-H", "Content-Type: " + encoding.contentType(), "--data-binary", "@" + request,
                    "-o", answer.toString(), "https://localhost:" + server.httpsPort + KmipHttpsServer.PATH));
            Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertTrue(curl.waitFor(30, TimeUnit.SECONDS), "curl finished");
            assertEquals(0, curl.exitValue(), new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            byte[] bytes = Files.readAllBytes(answer);
            Ttlv response = switch (encoding) {
                case TTLV -> TtlvReader.read(bytes, TtlvLimits.DEFAULT);
                case JSON -> TtlvJson.read(new String(bytes, StandardCharsets.UTF_8), TtlvLimits.DEFAULT);
                case XML -> TtlvXml.read(TtlvXml.parseDocument(new ByteArrayInputStream(bytes)).getDocumentElement(),
                        TtlvLimits.DEFAULT);
            };
            Ttlv item = Requests.items(response).get(0);
            assertEquals(0, Requests.status(item), encoding + ": " + item);
            assertTrue(item.require(Tag.RESPONSE_PAYLOAD).all(Tag.OPERATION).size() > 20, "the operations Tresor offers");
        }
    }

    private static void assertRefused(HttpResponse<byte[]> response, int status, String messagePart) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(status, response.statusCode(), body);
        assertTrue(body.contains(messagePart), body);
    }
}
