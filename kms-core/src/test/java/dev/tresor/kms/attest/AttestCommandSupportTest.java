package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttestCommandSupportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock NOW = TestData.at("2026-11-23T12:00:00Z");

    private static String file(String relative) {
        return TestData.root().resolve(relative).toString();
    }

    private static JsonNode run(int expectedStatus, String... args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        AttestCommandSupport.Outcome outcome = AttestCommandSupport.run(arguments, NOW);
        assertEquals(expectedStatus, outcome.exitStatus(), outcome.json());
        return JSON.readTree(outcome.json());
    }

    @Test
    void snpReportVerifiesAtTheGivenTime() throws Exception {
        JsonNode out = run(0, "--type", "snp", "--evidence", file("snp/milan-trustee/report.bin"),
                "--chain", file("snp/milan-trustee/vcek.der") + "," + file("snp/roots/milan_ask_ark.pem"),
                "--at", "2025-06-01T00:00:00Z");
        assertEquals("verified", out.path("verdict").asText());
        assertEquals("Milan", out.path("claims").path("snp.product").asText());
        assertEquals("2025-06-01T00:00:00Z", out.path("verified_at").asText());
    }

    @Test
    void expiredVlekIsRefusedWithItsReason() throws Exception {
        JsonNode out = run(1, "--type", "snp", "--evidence", file("snp/milan-vlek-trustee/report.bin"),
                "--chain", file("snp/milan-vlek-trustee/vlek.der"), "--chain", file("snp/roots/milan_asvk_ark.pem"));
        assertEquals("refused", out.path("verdict").asText());
        assertEquals("CERT_EXPIRED", out.path("reason").asText());
    }

    @Test
    void tdxQuoteVerifiesWithACollateralFolder() throws Exception {
        JsonNode out = run(0, "--type", "tdx", "--evidence", file("tdx/dcapqvl-v4/quote.bin"),
                "--collateral", file("tdx/collateral/dcapqvl-2025-06-fmspcb0c06f"),
                "--chain", file("tdx/roots/tcb_signing_chain_2025.pem"), "--at", "2025-07-01T00:00:00Z");
        assertEquals("UpToDate", out.path("claims").path("tdx.tcb_status").asText());
        JsonNode missing = run(1, "--type", "tdx", "--evidence", file("tdx/gce-cos113-ccel/quote.bin"),
                "--at", "2025-07-01T00:00:00Z");
        assertEquals("COLLATERAL_MISSING", missing.path("reason").asText());
        JsonNode signatures = run(0, "--type", "tdx", "--evidence", file("tdx/gce-cos113-ccel/quote.bin"),
                "--at", "2025-07-01T00:00:00Z", "--signatures-only");
        assertEquals(false, signatures.path("claims").path("tdx.collateral").asBoolean());
    }

    @Test
    void gceTpmAttestationVerifiesWithItsNonce() throws Exception {
        JsonNode out = run(0, "--type", "tpm", "--evidence", file("tpm/gce-cos85-nonce9009/attestation.pb"),
                "--chain", file("tpm/gce-roots/tpm_ek_intermediate_2.der") + "," + file("tpm/gce-roots/tpm_ek_root_1.der"),
                "--report-data", "9009");
        assertEquals(true, out.path("claims").path("bound").asBoolean());
        assertEquals("9009", out.path("claims").path("tpm.nonce").asText());
    }

    @Test
    void earTokenVerifiesUnderAGivenJwk() throws Exception {
        JsonNode out = run(0, "--type", "token", "--evidence", file("tokens/ear/ear_affirming_es256.jwt"),
                "--chain", file("tokens/ear/veraison_test_key.jwk.json"));
        assertEquals("affirming", out.path("claims").path("ear.status").asText());
        JsonNode untrusted = run(1, "--type", "token", "--evidence", file("tokens/ear/ear_affirming_es256.jwt"));
        assertEquals("TOKEN_KEY_UNTRUSTED", untrusted.path("reason").asText());
    }

    @Test
    void badOptionsAnswerExitStatusTwo() throws Exception {
        assertEquals("error", run(2, "--type", "snp").path("verdict").asText());
        assertEquals("error", run(2, "--type", "quantum", "--evidence", file("snp/milan-trustee/report.bin"))
                .path("verdict").asText());
        assertEquals("error", run(2, "--type", "snp", "--evidence", file("no/such/file")).path("verdict").asText());
        assertEquals("error", run(2, "--type", "snp", "--evidence", file("snp/milan-trustee/report.bin"),
                "--at", "yesterday").path("verdict").asText());
    }
}
