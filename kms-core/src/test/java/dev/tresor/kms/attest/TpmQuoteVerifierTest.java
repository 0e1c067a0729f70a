package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.service.KmsError;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TpmQuoteVerifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttestationTrust GCE = AttestationTrust.defaults().withTpmCas(
            TestData.certs("tpm/gce-roots/tpm_ek_root_1.der"), TestData.certs("tpm/gce-roots/tpm_ek_intermediate_2.der"));
    private static final TpmQuoteVerifier VERIFIER = new TpmQuoteVerifier(GCE, TestData.SNP_CLOCK);

    static PublicKey trusteeAk() throws Exception {
        String spki = JSON.readTree(TestData.read("tpm/trustee-tpm/tpm_evidence.json")).path("ak_public").asText();
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(spki)));
    }

    /** Trustee-style JSON from split files: AK, TPMS_ATTEST, TPMT_SIGNATURE and the bank's PCR values. */
    static byte[] trusteeJson(PublicKey ak, String attest, String signature, String pcrsJson) throws Exception {
        ObjectNode root = JSON.createObjectNode().put("ak_public", Base64.getEncoder().encodeToString(ak.getEncoded()));
        ObjectNode quote = root.putObject("tpm_quote")
                .put("message", Base64.getEncoder().encodeToString(TestData.read(attest)))
                .put("signature", Base64.getEncoder().encodeToString(TestData.read(signature)));
        var values = JSON.readTree(TestData.read(pcrsJson)).path("pcrs");
        var list = quote.putArray("pcrs");
        for (int i = 0; i < values.size(); i++) {
            list.add(values.path(String.valueOf(i)).asText());
        }
        return JSON.writeValueAsBytes(root);
    }

    private static Reason refusal(TpmQuoteVerifier verifier, byte[] evidence, VerificationInputs inputs) {
        return Reason.of(assertThrows(KmsError.class, () -> verifier.verify(evidence, inputs))).orElseThrow();
    }

    @Test
    void gceAttestationChainsToTheEkRootAndCarriesTheNonce() {
        Map<String, Object> claims = VERIFIER.verify(TestData.read("tpm/gce-cos85-nonce9009/attestation.pb"),
                VerificationInputs.none().withExpectedReportData(HexFormat.of().parseHex("9009"))).claims();
        assertEquals(true, claims.get("bound"));
        assertEquals(10L, claims.get("tpm.reset_count"));
        assertEquals(64, ((String) claims.get("tpm.pcr.0")).length());
        assertEquals(40, ((String) claims.get("tpm.pcr.sha1.0")).length());
        assertEquals(96, ((String) claims.get("tpm.pcr.sha384.23")).length());
    }

    @Test
    void quoteWithoutTheNonceIsAReplay() {
        byte[] evidence = TestData.read("tpm/gce-cos85-no-nonce/attestation.pb");
        assertEquals(false, VERIFIER.verify(evidence, VerificationInputs.none()).claims().get("bound"));
        assertEquals(Reason.BINDING_MISMATCH, refusal(VERIFIER, evidence,
                VerificationInputs.none().withExpectedReportData(HexFormat.of().parseHex("9009"))));
    }

    @Test
    void certifiedAkIsUntrustedWithoutTheConfiguredCa() {
        TpmQuoteVerifier unconfigured = new TpmQuoteVerifier(AttestationTrust.defaults(), TestData.SNP_CLOCK);
        assertEquals(Reason.AK_UNTRUSTED, refusal(unconfigured,
                TestData.read("tpm/gce-cos85-nonce9009/attestation.pb"), VerificationInputs.none()));
    }

    @Test
    void trusteeQuoteVerifiesWithItsRegisteredAk() throws Exception {
        byte[] evidence = TestData.read("tpm/trustee-tpm/tpm_evidence.json");
        byte[] nonce = HexFormat.of().parseHex("a04182b506878d4f29b91ee606a71a0d3361ccf1b22db20c98adcaa537bea393"
                + "ef0e41a18b3569ab678f1497fbc5c12000000000000000000000000000000000");
        Map<String, Object> claims = VERIFIER.verify(evidence,
                VerificationInputs.none().withRegisteredAk(trusteeAk()).withExpectedReportData(nonce)).claims();
        assertEquals(true, claims.get("bound"));
        assertEquals(Reason.AK_UNTRUSTED, refusal(VERIFIER, evidence, VerificationInputs.none()));
    }

    @Test
    void alteredQuoteFailsItsSignature() throws Exception {
        PublicKey ak = TpmPublic.parse(TestData.read("tpm/gce-cos85-nonce9009/ak_pub.tpmt"));
        byte[] evidence = trusteeJson(ak, "negative/tpm/gce_quote_sha256_nonce_altered.attest",
                "tpm/gce-cos85-nonce9009/quote_sha256.sig", "tpm/gce-cos85-nonce9009/pcrs_sha256.json");
        assertEquals(Reason.SIGNATURE_INVALID, refusal(VERIFIER, evidence,
                VerificationInputs.none().withRegisteredAk(ak)));
    }

    @Test
    void quoteUnderAnotherAkFailsItsSignature() throws Exception {
        PublicKey other = trusteeAk();
        byte[] evidence = trusteeJson(other, "tpm/gce-cos85-nonce9009/quote_sha256.attest",
                "tpm/gce-cos85-nonce9009/quote_sha256.sig", "tpm/gce-cos85-nonce9009/pcrs_sha256.json");
        assertEquals(Reason.SIGNATURE_INVALID, refusal(VERIFIER, evidence,
                VerificationInputs.none().withRegisteredAk(other)));
    }

    @Test
    void pcrValuesThatDoNotHashToTheQuotedDigestAreRefused() throws Exception {
        PublicKey ak = TpmPublic.parse(TestData.read("tpm/gce-cos85-nonce9009/ak_pub.tpmt"));
        VerificationInputs inputs = VerificationInputs.none().withRegisteredAk(ak);
        byte[] right = trusteeJson(ak, "tpm/gce-cos85-nonce9009/quote_sha256.attest",
                "tpm/gce-cos85-nonce9009/quote_sha256.sig", "tpm/gce-cos85-nonce9009/pcrs_sha256.json");
        assertEquals("tpm", VERIFIER.verify(right, inputs).tee());
        ObjectNode tree = (ObjectNode) JSON.readTree(right);
        var pcrs = (com.fasterxml.jackson.databind.node.ArrayNode) tree.path("tpm_quote").path("pcrs");
        pcrs.set(7, pcrs.get(8));
        assertEquals(Reason.PCR_MISMATCH, refusal(VERIFIER, JSON.writeValueAsBytes(tree), inputs));
    }
}
