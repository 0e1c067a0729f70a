package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AzureVtpmVerifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AzureVtpmVerifier SNP = AzureVtpmVerifier.snp(
            new SnpVerifier(AttestationTrust.defaults(), TestData.SNP_CLOCK));

    /** Trustee's v1 JSON assembled from an HCL report, its TPM quote JSON and the VCEK. */
    static byte[] v1Evidence(String hclReport, String tpmQuote, String vcekChain) throws Exception {
        ObjectNode root = JSON.createObjectNode().put("version", "1")
                .put("hcl_report", Base64.getUrlEncoder().encodeToString(TestData.read(hclReport)));
        root.set("tpm_quote", JSON.readTree(TestData.read(tpmQuote)));
        root.put("vcek", new String(TestData.read(vcekChain), StandardCharsets.US_ASCII));
        return JSON.writeValueAsBytes(root);
    }

    private static VerificationInputs nonce(String hex, String... roots) {
        return VerificationInputs.none().withCertificates(TestData.certs(roots))
                .withExpectedReportData(HexFormat.of().parseHex(hex));
    }

    @Test
    void genoaV0EvidenceChainsReportToRuntimeDataToAkToQuote() {
        Map<String, Object> claims = SNP.verify(TestData.read("tpm/azure-snp-vtpm-genoa/evidence.json"),
                nonce("0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094de6b64270ea35d950f",
                        "snp/roots/genoa_ask_ark.pem")).claims();
        assertEquals("az-snp-vtpm", claims.get("tee"));
        assertEquals(true, claims.get("bound"));
        assertEquals("Genoa", claims.get("snp.product"));
        assertEquals(true, claims.get("az.vm_configuration.secure-boot"));
        assertEquals("390CBCF5-6C67-4D9B-98EF-C3F1699CC8FC", claims.get("az.vm_configuration.vmUniqueId"));
    }

    @Test
    void milanV1EvidenceVerifies() {
        Map<String, Object> claims = SNP.verify(TestData.read("tpm/azure-snp-vtpm-milan-v1/evidence.json"),
                VerificationInputs.none().withCertificates(TestData.certs("snp/roots/milan_ask_ark.pem"))).claims();
        assertEquals("Milan", claims.get("snp.product"));
        assertEquals(false, claims.get("bound"));
    }

    @Test
    void splitMilanFilesVerifyWithTheChallengeNonce() throws Exception {
        byte[] evidence = v1Evidence("tpm/azure-snp-vtpm-milan/hcl_report.bin", "tpm/azure-snp-vtpm-milan/tpm_quote.json",
                "tpm/azure-snp-vtpm-milan/vcek_chain.pem");
        Map<String, Object> claims = SNP.verify(evidence, nonce("6368616c6c656e6765")).claims();
        assertEquals("9ac48fcac8a2d88aeeff8d427ad4f2be0e3917c748a18bdf52cc317e7fe20308b459d5ef1a12e0c22944eb386d17c315",
                claims.get("snp.measurement"));
        KmsError error = assertThrows(KmsError.class, () -> SNP.verify(evidence, nonce("6368616c6c656e6766")));
        assertEquals(Reason.BINDING_MISMATCH, Reason.of(error).orElseThrow());
    }

    @Test
    void tamperedRuntimeDataUnbindsTheAk() throws Exception {
        byte[] evidence = v1Evidence("negative/tpm/azure_hcl_runtime_data_tampered.bin",
                "tpm/azure-snp-vtpm-milan/tpm_quote.json", "tpm/azure-snp-vtpm-milan/vcek_chain.pem");
        KmsError error = assertThrows(KmsError.class, () -> SNP.verify(evidence, VerificationInputs.none()));
        assertEquals(Reason.AK_UNTRUSTED, Reason.of(error).orElseThrow());
    }

    @Test
    void tdxVtpmEvidenceVerifiesItsSignaturesWithoutCollateral() throws Exception {
        ObjectNode root = JSON.createObjectNode()
                .put("hcl_report", Base64.getUrlEncoder().encodeToString(TestData.read("tdx/azure-tdx-vtpm/hcl_report.bin")))
                .put("td_quote", Base64.getUrlEncoder().encodeToString(TestData.read("tdx/azure-tdx-vtpm/td_quote.bin")));
        root.set("tpm_quote", JSON.readTree(TestData.read("tdx/azure-tdx-vtpm/tpm_quote.json")));
        AzureVtpmVerifier tdx = AzureVtpmVerifier.tdx(
                new TdxVerifier(AttestationTrust.defaults(), TestData.at("2025-07-01T00:00:00Z")));
        Map<String, Object> claims = tdx.verify(JSON.writeValueAsBytes(root),
                nonce("6368616c6c656e6765").withSignaturesOnly()).claims();
        assertEquals("az-tdx-vtpm", claims.get("tee"));
        assertEquals(true, claims.get("bound"));
        assertEquals(false, claims.get("tdx.collateral"));
        assertEquals(false, claims.get("az.vm_configuration.tpm-persisted"));
    }
}
