package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.service.Bytes;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --dev} turns the simulated TEE on, and attestation.allowSimulated=false turns it off again. */
class SimulatedAttestationServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIM_POLICY = "{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"tee\",\"equals\":\"sim-snp\"},"
            + "{\"claim\":\"snp.measurement\",\"equals\":\"" + "42".repeat(48) + "\"}]}";

    @TempDir
    Path dataDir;

    private ServerConfig devConfig(Map<String, String> more) {
        Map<String, String> environment = new HashMap<>(Map.of("TRESOR_DATA_DIR", dataDir.toString(),
                "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0"));
        environment.putAll(more);
        return ServerConfig.load(true, Optional.empty(), environment);
    }

    @Test
    void aDevServerReleasesAKeyToTheSimulatedGuest() throws Exception {
        TresorServer server = TresorServer.start(devConfig(Map.of()), Clock.systemUTC());
        try {
            DevFacts facts = server.devFacts().orElseThrow();
            HttpsProbe https = new HttpsProbe(facts.caFile());
            String key = releasableKey(https, facts);

            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair workload = generator.generateKeyPair();
            JsonNode challenge = json(201, https.post(uri(facts, "/attestation/challenges"), facts.adminToken(), "{}"));
            byte[] reportData = new ExpectedBinding.Native(
                    Bytes.wrap(Base64.getUrlDecoder().decode(challenge.get("nonce").asText())), workload.getPublic())
                    .reportData();
            JsonNode report = json(200, https.post(uri(facts, "/attestation/sim/reports"), facts.adminToken(),
                    "{\"reportData\":\"" + Base64.getEncoder().encodeToString(reportData) + "\"}"));
            ObjectNode evidence = JSON.createObjectNode()
                    .put("nonceId", challenge.get("nonceId").asText())
                    .put("evidenceType", "snp")
                    .put("evidence", report.get("report").asText())
                    .put("certificates", report.get("certificates").asText())
                    .put("publicKey", Base64.getEncoder().encodeToString(workload.getPublic().getEncoded()));

            String jwe = json(200, https.post(URI.create(key + "/release"), facts.adminToken(), evidence.toString()))
                    .get("jwe").asText();

            assertEquals(5, jwe.split("\\.").length);
            JsonNode header = JSON.readTree(new String(Base64.getUrlDecoder().decode(jwe.split("\\.")[0]),
                    StandardCharsets.UTF_8));
            assertEquals("RSA-OAEP-256", header.get("alg").asText());
            assertTrue(header.get("tresor_key").asText().endsWith("/versions/1"), header.toString());
        } finally {
            server.stop();
        }
    }

    @Test
    void withSimulationSwitchedOffNeitherReportsNorSimPoliciesExist() throws Exception {
        TresorServer server = TresorServer.start(devConfig(Map.of("TRESOR_ATTESTATION_ALLOWSIMULATED", "false")),
                Clock.systemUTC());
        try {
            DevFacts facts = server.devFacts().orElseThrow();
            HttpsProbe https = new HttpsProbe(facts.caFile());
            HttpResponse<String> report = https.post(uri(facts, "/attestation/sim/reports"), facts.adminToken(),
                    "{\"reportData\":\"" + Base64.getEncoder().encodeToString(new byte[64]) + "\"}");
            assertEquals(409, report.statusCode(), report.body());
            HttpResponse<String> created = https.post(uri(facts, "/keyrings/" + ring(https, facts) + "/releasable-keys"),
                    facts.adminToken(), keyBody());
            assertEquals(400, created.statusCode(), created.body());
            assertTrue(created.body().contains("sim-snp"), created.body());
        } finally {
            server.stop();
        }
    }

    private static String keyBody() {
        return "{\"displayName\":\"released\",\"algorithm\":\"aes_256_gcm\",\"purpose\":\"symmetric_encrypt_decrypt\","
                + "\"protection\":\"software\",\"releasePolicy\":" + SIM_POLICY + "}";
    }

    private static String releasableKey(HttpsProbe https, DevFacts facts) throws Exception {
        String ring = ring(https, facts);
        JsonNode key = json(202, https.post(uri(facts, "/keyrings/" + ring + "/releasable-keys"), facts.adminToken(),
                keyBody()));
        return uri(facts, "/keyrings/" + ring + "/keys/" + key.get("id").asText()).toString();
    }

    private static String ring(HttpsProbe https, DevFacts facts) throws Exception {
        return json(202, https.post(uri(facts, "/keyrings"), facts.adminToken(), "{\"displayName\":\"attested\"}"))
                .get("id").asText();
    }

    private static URI uri(DevFacts facts, String path) {
        return facts.restUrl().resolve("/v1/projects/" + facts.projectId() + "/regions/" + facts.regionId() + path);
    }

    private static JsonNode json(int status, HttpResponse<String> response) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
