package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevBootstrap;
import dev.tresor.kms.server.dev.DevFiles;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Production mode: configured TLS files, the Shamir seal, init and unseal through the CLI. */
class ShamirServerTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path tlsDir;

    @Test
    void startsUninitialisedAndAfterInitEachRestartNeedsThresholdShares() throws Exception {
        DevFiles tls = DevFiles.in(tlsDir);
        new DevBootstrap(tls, Clock.systemUTC()).prepareTls();
        Map<String, String> serverEnvironment = Map.of("TRESOR_DATA_DIR", dataDir.toString(),
                "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0", "TRESOR_LISTEN_HOST", "127.0.0.1",
                "TRESOR_REST_TLS_CERT", tls.restCertificate().toString(),
                "TRESOR_REST_TLS_KEY", tls.restKey().toString());
        ServerConfig config = ServerConfig.load(false, Optional.empty(), serverEnvironment);

        TresorServer server = TresorServer.start(config, Clock.systemUTC());
        Map<String, String> client = new HashMap<>(Map.of("TRESOR_DATA_DIR", dataDir.toString(),
                "TRESOR_URL", "https://localhost:" + server.restPort(), "TRESOR_CA", tls.caCertificate().toString()));
        String projectId;
        JsonNode init;
        try {
            assertTrue(server.devFacts().isEmpty());
            assertFalse(server.sealStatus().initialized());

            init = CliRun.of(client, "init", "--shares", "3", "--threshold", "2").json();
            assertEquals(3, init.path("shares").size());
            assertFalse(server.sealStatus().sealed(), "init leaves the running server unsealed");
            client.put("TRESOR_TOKEN", init.path("operatorToken").asText());

            projectId = CliRun.of(client, "project", "create").json().path("projectId").asText();
            JsonNode token = CliRun.of(client, "token", "create", "--project", projectId, "--role", "admin").json();
            URI keyRings = URI.create(client.get("TRESOR_URL") + "/v1/projects/" + projectId
                    + "/regions/eu01/keyrings");
            assertEquals(202, new HttpsProbe(tls.caCertificate()).post(keyRings, token.path("token").asText(),
                    "{\"displayName\":\"prod\"}").statusCode());
        } finally {
            server.stop();
        }

        TresorServer restarted = TresorServer.start(config, Clock.systemUTC());
        try {
            client.put("TRESOR_URL", "https://localhost:" + restarted.restPort());
            assertTrue(restarted.sealStatus().sealed());
            CliRun sealed = CliRun.of(client, "project", "list");
            assertEquals(Main.FAILED, sealed.status());
            assertTrue(sealed.err().contains("HTTP 503"), sealed.err());

            JsonNode first = CliRun.of(client, "unseal", init.path("shares").get(2).asText()).json();
            assertTrue(first.path("sealed").asBoolean());
            assertEquals(1, first.path("sharesProvided").asInt());
            JsonNode second = unsealFromStandardInput(client, init.path("shares").get(0).asText());
            assertFalse(second.path("sealed").asBoolean());
            JsonNode projects = CliRun.of(client, "project", "list").json();
            assertTrue(projects.toString().contains(projectId), projects.toString());
        } finally {
            restarted.stop();
        }
    }

    private static JsonNode unsealFromStandardInput(Map<String, String> client, String share) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream((share + "\n").getBytes(StandardCharsets.UTF_8)));
        try {
            return CliRun.of(client, "unseal").json();
        } finally {
            System.setIn(original);
        }
    }
}
