package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevBootstrap;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands against a real dev server, finding server, CA, token and project in its dev.json. */
class AdminCliTest {
    @TempDir
    static Path dataDir;
    @TempDir
    static Path elsewhere;

    private static TresorServer server;
    private static DevFacts facts;
    private static Map<String, String> environment;

    @BeforeAll
    static void startDevServer() {
        environment = Map.of("TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_REST_PORT", "0",
                "TRESOR_KMIP_PORT", "0");
        server = TresorServer.start(ServerConfig.load(true, Optional.empty(), environment), Clock.systemUTC());
        facts = server.devFacts().orElseThrow();
    }

    @AfterAll
    static void stopDevServer() {
        server.stop();
    }

    @Test
    void projectsAreCreatedAndListedWithTheOperatorToken() {
        JsonNode created = cli("project", "create", "--calls-per-hour", "500", "--kmip-exportable").json();

        assertEquals(500, created.path("callsPerHour").asLong());
        assertTrue(created.path("kmipExportableByDefault").asBoolean());
        assertFalse(created.path("kmipAesMacWithCipher").asBoolean());
        JsonNode legacy = cli("project", "create", "--kmip-aes-mac-with-cipher").json();
        assertTrue(legacy.path("kmipAesMacWithCipher").asBoolean());
        assertFalse(legacy.path("kmipExportableByDefault").asBoolean());
        JsonNode listed = cli("project", "list").json().path("projects");
        assertTrue(ids(listed, "projectId").contains(created.path("projectId").asText()), listed.toString());
        assertTrue(ids(listed, "projectId").contains(legacy.path("projectId").asText()), listed.toString());
        assertTrue(ids(listed, "projectId").contains(facts.projectId()), listed.toString());
    }

    @Test
    void aTokenIsShownOnceWorksUntilRevokedAndItsRoleHolds() throws Exception {
        JsonNode created = cli("token", "create", "--role", "crypto-user", "--description", "ci").json();
        String id = created.path("id").asText();
        String secret = created.path("token").asText();
        HttpsProbe https = new HttpsProbe(facts.caFile());
        URI keyRings = facts.restUrl().resolve("/v1/projects/" + facts.projectId() + "/regions/eu01/keyrings");

        assertEquals("crypto-user", created.path("role").asText());
        assertEquals(200, https.get(keyRings, secret).statusCode());
        CliRun refused = cli("token", "create", "--role", "admin", "--token", secret);
        assertEquals(Main.FAILED, refused.status());
        assertTrue(refused.err().matches("tresor: POST /admin/v1/projects/.*/tokens: HTTP 403: .*\n"), refused.err());

        JsonNode listed = cli("token", "list").json().path("tokens");
        assertTrue(ids(listed, "id").contains(id));
        assertFalse(listed.toString().contains(secret), "a listing never shows a secret");

        assertEquals(id, cli("token", "revoke", id).json().path("revoked").asText());
        assertEquals(401, https.get(keyRings, secret).statusCode());
        JsonNode revoked = StreamSupport.stream(cli("token", "list").json().path("tokens").spliterator(), false)
                .filter(token -> token.path("id").asText().equals(id)).findFirst().orElseThrow();
        assertTrue(revoked.path("revoked").asBoolean());
    }

    @Test
    void aClientCertificateIsRegisteredListedAndRevoked() {
        DevFiles other = DevFiles.in(elsewhere);
        new DevBootstrap(other, Clock.systemUTC()).prepareTls();

        JsonNode registered = cli("client-cert", "register", "--role", "auditor", "--cert",
                other.kmipClientCertificate().toString()).json();
        String fingerprint = registered.path("fingerprint").asText();
        assertEquals("auditor", registered.path("role").asText());
        assertEquals(facts.projectId(), registered.path("projectId").asText());
        assertTrue(ids(cli("client-cert", "list").json().path("clientCerts"), "fingerprint").contains(fingerprint));

        cli("client-cert", "revoke", fingerprint).json();
        JsonNode listed = cli("client-cert", "list").json().path("clientCerts");
        assertTrue(StreamSupport.stream(listed.spliterator(), false).anyMatch(cert ->
                cert.path("fingerprint").asText().equals(fingerprint) && cert.path("revoked").asBoolean()));
        CliRun notPem = cli("client-cert", "register", "--role", "admin", "--cert", facts.pkcs11Conf().toString());
        assertEquals(Main.MISUSE, notPem.status(), notPem.err());
    }

    @Test
    void exportsAnswerJsonForTheDevProject() {
        JsonNode metadata = cli("metadata", "export").json();
        assertEquals(facts.projectId(), metadata.path("projectId").asText());
        assertTrue(metadata.path("counts").has("keyRings"));

        JsonNode audit = cli("audit", "export", "--from", "2000-01-01T00:00:00Z").json();
        assertTrue(audit.path("records").size() > 0, audit.toString());
        assertEquals(0, cli("audit", "export", "--to", "2000-01-01T00:00:00+01:00").json().path("records").size());
    }

    @Test
    void initOnAnInitialisedServerIsRefusedByTheServer() {
        CliRun run = cli("init", "--shares", "3", "--threshold", "2");

        assertEquals(Main.FAILED, run.status());
        assertTrue(run.err().startsWith("tresor: POST /admin/v1/init: HTTP 4"), run.err());
    }

    private static CliRun cli(String... args) {
        return CliRun.of(environment, args);
    }

    private static List<String> ids(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(node -> node.path(field).asText()).toList();
    }
}
