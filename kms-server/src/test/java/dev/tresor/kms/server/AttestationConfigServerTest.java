package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.attest.TestData;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevFacts;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose configuration names the shared Intel collateral, the TCB Signing chain and a
 * token issuer file verifies real samples through the REST API: a TDX quote against the
 * collateral of its FMSPC, and an EAR token under the issuer's pinned key.
 */
class AttestationConfigServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void configuredCollateralAndIssuersVerifyRealSamples() throws Exception {
        Path samples = TestData.root();
        Path issuers = dir.resolve("issuers.json");
        Files.writeString(issuers, JSON.createObjectNode().set("issuers", JSON.createArrayNode().add(
                JSON.createObjectNode().put("id", "veraison").put("ear", true)
                        .set("keys", JSON.createArrayNode()
                                .add(samples.resolve("tokens/ear/veraison_test_key.jwk.json").toString())))).toString());
        ServerConfig config = ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dir.resolve("data").toString(),
                "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0",
                "TRESOR_ATTESTATION_TDX_COLLATERAL", samples.resolve("tdx/collateral").toString(),
                "TRESOR_ATTESTATION_INTEL_CERTIFICATES", samples.resolve("tdx/roots/tcb_signing_chain_2025.pem").toString(),
                "TRESOR_ATTESTATION_TOKEN_ISSUERS", issuers.toString()));
        TresorServer server = TresorServer.start(config, Clock.fixed(Instant.parse("2025-07-01T00:00:00Z"),
                ZoneOffset.UTC));
        try {
            DevFacts facts = server.devFacts().orElseThrow();
            HttpsProbe https = new HttpsProbe(facts.caFile());

            JsonNode tdx = verified(https, facts, "tdx", "tdx/dcapqvl-v4/quote.bin");
            assertEquals("tdx", tdx.get("tee").asText());
            assertEquals(true, tdx.path("claims").path("tdx.collateral").asBoolean());
            assertEquals("UpToDate", tdx.path("claims").path("tdx.tcb_status").asText());
            assertEquals("b0c06f000000", tdx.path("claims").path("tdx.fmspc").asText());
            assertEquals(false, tdx.get("bound").asBoolean());

            JsonNode token = verified(https, facts, "token", "tokens/ear/ear_affirming_es256.jwt");
            assertEquals("veraison", token.path("claims").path("authority").asText());
            assertEquals("affirming", token.path("claims").path("ear.status").asText());

            HttpResponse<String> tampered = verify(https, facts, "tdx", "negative/tdx/dcapqvl_v4_mrtd_flipped.bin");
            assertEquals(403, tampered.statusCode(), tampered.body());
            assertTrue(tampered.body().contains("SIGNATURE_INVALID"), tampered.body());
            HttpResponse<String> foreign = verify(https, facts, "token", "tokens/trustee/trustee_ear_cca_es256.jwt");
            assertEquals(403, foreign.statusCode(), foreign.body());
            assertTrue(foreign.body().contains("TOKEN_"), foreign.body());
        } finally {
            server.stop();
        }
    }

    private static JsonNode verified(HttpsProbe https, DevFacts facts, String type, String sample) throws Exception {
        HttpResponse<String> response = verify(https, facts, type, sample);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> verify(HttpsProbe https, DevFacts facts, String type, String sample)
            throws Exception {
        String body = JSON.createObjectNode().put("evidenceType", type)
                .put("evidence", Base64.getEncoder().encodeToString(TestData.read(sample))).toString();
        URI uri = facts.restUrl().resolve("/v1/projects/" + facts.projectId() + "/regions/" + facts.regionId()
                + "/attestation/verifications");
        return https.post(uri, facts.adminToken(), body);
    }
}
