package dev.tresor.kms.attest.kbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.attest.TestData;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The KBS Attestation message: Trustee's EAR token is the binding vector (the runtime data a
 * guest sent, hashed the KBS way, is the report data its attester signed), and every malformed
 * message is refused before any nonce is spent.
 */
class KbsAttestationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode trusteeEvidence() throws Exception {
        String token = new String(TestData.read("tokens/trustee/trustee_ear_cca_es256.jwt"), StandardCharsets.US_ASCII);
        JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(token.strip().split("\\.")[1]));
        return payload.path("submods").path("cpu0").path("ear.veraison.annotated-evidence");
    }

    /** The Attestation message the Trustee guest sent, rebuilt from the runtime data its AS recorded. */
    private static ObjectNode message(JsonNode runtimeDataClaims) {
        ObjectNode message = JSON.createObjectNode();
        message.putObject("runtime-data").put("nonce", runtimeDataClaims.path("nonce").asText())
                .set("tee-pubkey", runtimeDataClaims.path("tee-pubkey"));
        message.putObject("tee-evidence").put("additional_evidence",
                runtimeDataClaims.path("additional-evidence").asText()).putObject("primary_evidence");
        return message;
    }

    @Test
    void trusteeRuntimeDataHashesToTheReportDataItsAttesterSigned() throws Exception {
        JsonNode evidence = trusteeEvidence();
        JsonNode claims = evidence.path("runtime_data_claims");
        KbsAttestation attestation = KbsAttestation.parse(JSON.writeValueAsBytes(message(claims)));

        byte[] reportData = new ExpectedBinding.Kbs(attestation.runtimeData(claims.path("nonce").asText()), "sha384")
                .reportData();

        assertArrayEquals(HexFormat.of().parseHex(evidence.path("report_data").asText()), reportData);
        assertArrayEquals(new byte[16], Arrays.copyOfRange(reportData, 48, 64), "SHA-384 zero-padded to 64 bytes");
        KmsError tooSmall = assertThrows(KmsError.class, attestation::requireEncryptableKey);
        assertTrue(tooSmall.getMessage().contains("2048"), tooSmall::getMessage);
    }

    @Test
    void anotherNonceOrKeyGivesAnotherBinding() throws Exception {
        JsonNode claims = trusteeEvidence().path("runtime_data_claims");
        byte[] expected = HexFormat.of().parseHex(trusteeEvidence().path("report_data").asText());
        KbsAttestation attestation = KbsAttestation.parse(JSON.writeValueAsBytes(message(claims)));
        byte[] otherNonce = new ExpectedBinding.Kbs(attestation.runtimeData("AAAA"), "sha384").reportData();
        assertTrue(!MessageDigest.isEqual(expected, otherNonce));
        byte[] otherHash = new ExpectedBinding.Kbs(attestation.runtimeData(claims.path("nonce").asText()), "sha512")
                .reportData();
        assertTrue(!MessageDigest.isEqual(expected, otherHash));
    }

    @Test
    void malformedMessagesAreRefusedNamingTheProblem() throws Exception {
        JsonNode claims = trusteeEvidence().path("runtime_data_claims");
        Map<String, String> refusals = Map.of(
                "[]", "must be a JSON object",
                "{\"runtime-data\":{}}", "runtime-data.nonce is required",
                message(claims).put("init-data", "x").toString(), "init-data.format is required",
                withKey(claims, "{\"kty\":\"RSA\",\"alg\":\"RSA1_5\",\"n\":\"AQAB\",\"e\":\"AQAB\"}"), "tee-pubkey alg RSA1_5",
                withKey(claims, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}"), "runtime-data.tee-pubkey is not a usable JWK",
                withAdditional(claims, "{\"tdx\":{}}"), "additional_evidence is not supported");
        refusals.forEach((body, problem) -> {
            KmsError refused = assertThrows(KmsError.class,
                    () -> KbsAttestation.parse(body.getBytes(StandardCharsets.UTF_8)), body);
            assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
            assertTrue(refused.getMessage().contains(problem), refused.getMessage());
        });
    }

    private static String withKey(JsonNode claims, String jwk) throws Exception {
        ObjectNode message = message(claims);
        ((ObjectNode) message.path("runtime-data")).set("tee-pubkey", JSON.readTree(jwk));
        return message.toString();
    }

    private static String withAdditional(JsonNode claims, String additional) {
        ObjectNode message = message(claims);
        ((ObjectNode) message.path("tee-evidence")).put("additional_evidence", additional);
        return message.toString();
    }

    @Test
    void initDataMustBeTheDigestInHostData() throws Exception {
        String toml = "algorithm = \"sha256\"\nversion = \"0.1.0\"\n";
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(toml.getBytes(StandardCharsets.UTF_8));
        ObjectNode message = message(trusteeEvidence().path("runtime_data_claims"));
        message.putObject("init-data").put("format", "toml").put("body", toml);
        KbsAttestation attestation = KbsAttestation.parse(JSON.writeValueAsBytes(message));

        attestation.requireInitData(new AttestationResult("snp", Map.of("snp.host_data", HexFormat.of().formatHex(digest))));
        byte[] other = digest.clone();
        other[0] ^= 1;
        assertTrue(assertThrows(KmsError.class, () -> attestation.requireInitData(new AttestationResult("snp",
                Map.of("snp.host_data", HexFormat.of().formatHex(other))))).getMessage().startsWith("BINDING_MISMATCH"));
        assertTrue(assertThrows(KmsError.class, () -> attestation.requireInitData(new AttestationResult("tpm",
                Map.of()))).getMessage().startsWith("BINDING_MISMATCH"));
        byte[] mrconfigid = Arrays.copyOf(digest, 48);
        attestation.requireInitData(new AttestationResult("tdx", Map.of("tdx.mrconfigid",
                HexFormat.of().formatHex(mrconfigid))));
    }
}
