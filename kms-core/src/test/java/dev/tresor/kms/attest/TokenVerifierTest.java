package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static PublicKey veraisonKey() {
        try {
            return Jwk.toPublicKey(JSON.readTree(TestData.read("tokens/ear/veraison_test_key.jwk.json")));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static TokenIssuer veraison() {
        return new TokenIssuer("veraison-test", Optional.empty(), List.of(veraisonKey()), Set.of("ES256"),
                Optional.of("/eat_nonce"), true);
    }

    private static TokenVerifier verifier(Clock clock, TokenIssuer... issuers) {
        return new TokenVerifier(AttestationTrust.defaults().withTokenIssuers(List.of(issuers)), clock);
    }

    private static Reason refusal(TokenVerifier verifier, String file, VerificationInputs inputs) {
        return Reason.of(assertThrows(KmsError.class, () -> verifier.verify(TestData.read(file), inputs))).orElseThrow();
    }

    @Test
    void earTokensVerifyUnderThePinnedVeraisonKey() {
        TokenVerifier verifier = verifier(TestData.SNP_CLOCK, veraison());
        for (String file : List.of("ear_affirming_es256.jwt", "ear_jwk_in_header_es256.jwt", "ear_trust_vector_es256.jwt")) {
            Map<String, Object> claims = verifier.verify(TestData.read("tokens/ear/" + file), VerificationInputs.none())
                    .claims();
            assertEquals("affirming", claims.get("ear.status"), file);
            assertEquals("veraison-test", claims.get("authority"), file);
            assertEquals(1666091373L, claims.get("token.iat"), file);
        }
        Map<String, Object> vector = verifier.verify(TestData.read("tokens/ear/ear_trust_vector_es256.jwt"),
                VerificationInputs.none()).claims();
        assertEquals(3L, vector.get("ear.tv.executables"));
        assertEquals("https://veraison.example/policy/1/60a0068d", vector.get("token.submods/test/ear.appraisal-policy-id"));
    }

    @Test
    void negativeTokensFailForTheirReasons() {
        TokenVerifier verifier = verifier(TestData.SNP_CLOCK, veraison());
        Map<String, Reason> expected = Map.of(
                "ear_leading_dot.jwt", Reason.TOKEN_MALFORMED,
                "ear_trailing_rubbish.jwt", Reason.TOKEN_MALFORMED,
                "ear_alg_none.jwt", Reason.TOKEN_ALG_REFUSED,
                "ear_alg_hs256.jwt", Reason.TOKEN_ALG_REFUSED,
                "ear_payload_tampered.jwt", Reason.SIGNATURE_INVALID,
                "ear_wrong_embedded_jwk.jwt", Reason.SIGNATURE_INVALID,
                "ear_empty_claims.jwt", Reason.TOKEN_CLAIMS_INVALID);
        expected.forEach((file, reason) -> assertEquals(reason,
                refusal(verifier, "negative/tokens/" + file, VerificationInputs.none()), file));
    }

    @Test
    void tokensSignedByTheKeyTheyCarryAreUntrusted() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        TokenIssuer coco = new TokenIssuer("coco", Optional.of("CoCo-Attestation-Service"),
                List.of(rsa.generateKeyPair().getPublic()), Set.of("RS384"), Optional.empty(), false);
        assertEquals(Reason.TOKEN_KEY_UNTRUSTED, refusal(verifier(TestData.at("2023-12-04T07:00:00Z"), coco),
                "tokens/trustee/coco_as_rs384.jwt", VerificationInputs.none()));
        assertEquals(Reason.TOKEN_KEY_UNTRUSTED, refusal(verifier(TestData.at("2025-07-09T11:06:00Z"), veraison()),
                "tokens/trustee/trustee_ear_cca_es256.jwt", VerificationInputs.none()));
    }

    @Test
    void trusteeEarBindsThroughItsReportDataOnceItsKeyIsPinned() throws Exception {
        var header = JSON.readTree(java.util.Base64.getUrlDecoder().decode(new String(
                TestData.read("tokens/trustee/trustee_ear_cca_es256.jwt"), StandardCharsets.US_ASCII).split("\\.")[0]));
        TokenIssuer trustee = new TokenIssuer("trustee", Optional.empty(), List.of(Jwk.toPublicKey(header.path("jwk"))),
                Set.of("ES256"), Optional.of("/submods/cpu0/ear.veraison.annotated-evidence/report_data"), true);
        byte[] reportData = HexFormat.of().parseHex("44f93cc3f19fb5f847f067bb89a13a683ab01a8dd8ddd2350e08fdbf97fbbdd9"
                + "c615ec3390080374991f6c5e1f63722f00000000000000000000000000000000");
        Map<String, Object> claims = verifier(TestData.at("2025-07-09T11:06:00Z"), trustee).verify(
                TestData.read("tokens/trustee/trustee_ear_cca_es256.jwt"),
                VerificationInputs.none().withExpectedReportData(reportData)).claims();
        assertEquals(true, claims.get("bound"));
        assertEquals(3L, claims.get("ear.tv.configuration"));
        reportData[0] ^= 1;
        assertEquals(Reason.BINDING_MISMATCH, refusal(verifier(TestData.at("2025-07-09T11:06:00Z"), trustee),
                "tokens/trustee/trustee_ear_cca_es256.jwt", VerificationInputs.none().withExpectedReportData(reportData)));
        assertEquals(Reason.TOKEN_EXPIRED, refusal(verifier(TestData.at("2026-11-23T00:00:00Z"), trustee),
                "tokens/trustee/trustee_ear_cca_es256.jwt", VerificationInputs.none()));
    }

    @Test
    void expiryAllowsSixtySecondsOfSkew() throws Exception {
        var header = JSON.readTree(java.util.Base64.getUrlDecoder().decode(new String(
                TestData.read("tokens/trustee/trustee_ear_cca_es256.jwt"), StandardCharsets.US_ASCII).split("\\.")[0]));
        TokenIssuer trustee = new TokenIssuer("trustee", Optional.empty(), List.of(Jwk.toPublicKey(header.path("jwk"))),
                Set.of("ES256"), Optional.empty(), true);
        long exp = 1752059439L;
        byte[] token = TestData.read("tokens/trustee/trustee_ear_cca_es256.jwt");
        assertEquals("token", verifier(Clock.fixed(java.time.Instant.ofEpochSecond(exp + 60), java.time.ZoneOffset.UTC),
                trustee).verify(token, VerificationInputs.none()).tee());
        assertEquals(Reason.TOKEN_EXPIRED, Reason.of(assertThrows(KmsError.class, () -> verifier(
                Clock.fixed(java.time.Instant.ofEpochSecond(exp + 61), java.time.ZoneOffset.UTC), trustee)
                .verify(token, VerificationInputs.none()))).orElseThrow());
    }

    /** A token signed here with JCA, so every allowed algorithm is exercised. */
    private static byte[] sign(String alg, java.security.PrivateKey key, String header, String payload) throws Exception {
        var b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        java.security.Signature signer = switch (alg) {
            case "ES384" -> java.security.Signature.getInstance("SHA384withECDSAinP1363Format");
            case "PS256" -> {
                java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
                yield pss;
            }
            default -> java.security.Signature.getInstance("SHA256withRSA");
        };
        signer.initSign(key);
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return (signingInput + "." + b64.encodeToString(signer.sign())).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void everyAllowedAlgorithmVerifiesAndCriticalHeadersAreRefused() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        var ecKeys = ec.generateKeyPair();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var rsaKeys = rsa.generateKeyPair();
        TokenIssuer issuer = new TokenIssuer("local", Optional.of("https://as.example"),
                List.of(ecKeys.getPublic(), rsaKeys.getPublic()), Set.of("ES384", "PS256", "RS256"),
                Optional.of("/eat_nonce"), false);
        TokenVerifier verifier = verifier(TestData.SNP_CLOCK, issuer);
        String payload = "{\"iss\":\"https://as.example\",\"eat_nonce\":\"AQID\",\"iat\":1748736000}";
        VerificationInputs bound = VerificationInputs.none().withExpectedReportData(new byte[] {1, 2, 3});
        assertEquals(true, verifier.verify(sign("ES384", ecKeys.getPrivate(), "{\"alg\":\"ES384\"}", payload), bound)
                .claims().get("bound"));
        assertEquals("https://as.example", verifier.verify(sign("PS256", rsaKeys.getPrivate(), "{\"alg\":\"PS256\"}",
                payload), bound).claims().get("token.iss"));
        assertEquals("local", verifier.verify(sign("RS256", rsaKeys.getPrivate(), "{\"alg\":\"RS256\"}", payload),
                bound).claims().get("authority"));
        byte[] critical = sign("RS256", rsaKeys.getPrivate(), "{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", payload);
        assertEquals(Reason.TOKEN_MALFORMED, Reason.of(assertThrows(KmsError.class,
                () -> verifier.verify(critical, VerificationInputs.none()))).orElseThrow());
        byte[] otherIssuer = sign("RS256", rsaKeys.getPrivate(), "{\"alg\":\"RS256\"}", "{\"iss\":\"https://evil\"}");
        assertEquals(Reason.TOKEN_KEY_UNTRUSTED, Reason.of(assertThrows(KmsError.class,
                () -> verifier.verify(otherIssuer, VerificationInputs.none()))).orElseThrow());
    }
}
