package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.service.KmsError;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnpVerifierTest {
    private static final String MILAN_ASK = "snp/roots/milan_ask_ark.pem";

    private static AttestationResult verify(String report, List<String> chain, Clock clock) {
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults(), clock);
        return verifier.verify(TestData.read(report),
                VerificationInputs.none().withCertificates(TestData.certs(chain.toArray(String[]::new))));
    }

    private static Reason refusal(String report, List<String> chain, Clock clock) {
        KmsError error = assertThrows(KmsError.class, () -> verify(report, chain, clock));
        return Reason.of(error).orElseThrow();
    }

    @Test
    void genoaAzureReportVerifiesWithItsVcekAndGenoaRoots() {
        Map<String, Object> claims = verify("snp/genoa-azure/report.bin",
                List.of("snp/genoa-azure/vcek.pem", "snp/roots/genoa_ask_ark.pem"), TestData.SNP_CLOCK).claims();
        assertEquals("snp", claims.get("tee"));
        assertEquals("Genoa", claims.get("snp.product"));
        assertEquals(23L, claims.get("snp.reported_tcb.snp"));
        assertEquals(84L, claims.get("snp.reported_tcb.microcode"));
        assertEquals(false, claims.get("snp.policy.debug"));
        assertEquals(false, claims.get("bound"));
    }

    @Test
    void vlekReportVerifiesThroughAsvkAndExposesCspId() {
        Map<String, Object> claims = verify("snp/milan-vlek-trustee/report.bin",
                List.of("snp/milan-vlek-trustee/vlek.der", "snp/roots/milan_asvk_ark.pem"), TestData.SNP_CLOCK).claims();
        assertEquals("VLEK", claims.get("snp.signing_key"));
        assertEquals("CN=cc-us-east-2.amazonaws.com", claims.get("snp.vlek.csp_id"));
        assertEquals(1L, claims.get("snp.vmpl"));
        assertEquals(217L, claims.get("snp.reported_tcb.microcode"));
        assertEquals(219L, claims.get("snp.committed_tcb.microcode"));
        assertEquals(217L, claims.get("snp.endorsement_tcb.microcode"));
        assertEquals("Milan", claims.get("snp.endorsement.product_name"));
    }

    @Test
    void hexEncodedReportVerifies() {
        assertEquals("Milan", verify("snp/milan-virtee/report.hex",
                List.of("snp/milan-virtee/vcek.der", MILAN_ASK), TestData.SNP_CLOCK).claims().get("snp.product"));
    }

    @Test
    void expectedReportDataBindsAndAnyOtherIsRefused() {
        byte[] report = TestData.read("snp/milan-gosevguest/report.bin");
        byte[] reportData = java.util.Arrays.copyOfRange(report, 0x50, 0x90);
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults(), TestData.SNP_CLOCK);
        VerificationInputs inputs = VerificationInputs.none()
                .withCertificates(TestData.certs("snp/milan-gosevguest/vcek.der", MILAN_ASK));
        assertEquals(true, verifier.verify(report, inputs.withExpectedReportData(reportData)).claims().get("bound"));
        reportData[63] ^= 1;
        KmsError error = assertThrows(KmsError.class,
                () -> verifier.verify(report, inputs.withExpectedReportData(reportData)));
        assertEquals(Reason.BINDING_MISMATCH, Reason.of(error).orElseThrow());
    }

    @Test
    void tamperedReportsFailTheirSignature() {
        List<String> chain = List.of("snp/milan-gosevguest/vcek.der", MILAN_ASK);
        for (String name : List.of("measurement_flipped", "policy_debug_cleared", "report_data_flipped",
                "reported_tcb_bumped", "signature_zeroed")) {
            assertEquals(Reason.SIGNATURE_INVALID,
                    refusal("negative/snp/milan_" + name + ".bin", chain, TestData.SNP_CLOCK), name);
        }
    }

    @Test
    void truncatedReportIsMalformedBeforeAnyCrypto() {
        assertEquals(Reason.MALFORMED, refusal("negative/snp/milan_truncated.bin", List.of(), TestData.SNP_CLOCK));
    }

    @Test
    void vcekWithBadSignatureBreaksTheChain() {
        for (String vcek : List.of("vcek_bad_signature_legacy.der", "vcek_bad_signature_new.der")) {
            assertEquals(Reason.CHAIN_INVALID, refusal("snp/milan-gosevguest/report.bin",
                    List.of("negative/snp/" + vcek, MILAN_ASK), TestData.SNP_CLOCK), vcek);
        }
    }

    @Test
    void foreignVcekFailsTheReportSignature() {
        assertEquals(Reason.SIGNATURE_INVALID, refusal("snp/milan-gosevguest/report.bin",
                List.of("snp/milan-trustee/vcek.der", MILAN_ASK), TestData.SNP_CLOCK));
    }

    @Test
    void milanVcekUnderGenoaRootsHasNoIssuer() {
        assertEquals(Reason.CHAIN_INVALID, refusal("snp/milan-gosevguest/report.bin",
                List.of("snp/milan-gosevguest/vcek.der", "snp/roots/genoa_ask_ark.pem"), TestData.SNP_CLOCK));
    }

    @Test
    void vlekIsNotIssuedByTheAsk() {
        assertEquals(Reason.CHAIN_INVALID, refusal("snp/milan-vlek-trustee/report.bin",
                List.of("snp/milan-vlek-trustee/vlek.der", MILAN_ASK), TestData.SNP_CLOCK));
    }

    @Test
    void vlekExpiresAfterOneYear() {
        assertEquals(Reason.CERT_EXPIRED, refusal("snp/milan-vlek-trustee/report.bin",
                List.of("snp/milan-vlek-trustee/vlek.der", "snp/roots/milan_asvk_ark.pem"),
                TestData.at("2026-01-01T00:00:00Z")));
    }

    @Test
    void overriddenArkPinRefusesTheRealRoot() {
        SnpVerifier verifier = new SnpVerifier(
                AttestationTrust.defaults().withArkFingerprint(SnpProduct.MILAN, "00".repeat(32)), TestData.SNP_CLOCK);
        KmsError error = assertThrows(KmsError.class, () -> verifier.verify(
                TestData.read("snp/milan-trustee/report.bin"), VerificationInputs.none()
                        .withCertificates(TestData.certs("snp/milan-trustee/vcek.der", MILAN_ASK))));
        assertEquals(Reason.UNTRUSTED_ROOT, Reason.of(error).orElseThrow());
    }

    @Test
    void configuredIssuerCertificatesCompleteTheChain() {
        SnpVerifier verifier = new SnpVerifier(
                AttestationTrust.defaults().withAmdCertificates(TestData.certs(MILAN_ASK)), TestData.SNP_CLOCK);
        AttestationResult result = verifier.verify(TestData.read("snp/milan-trustee/report.bin"),
                VerificationInputs.none().withCertificates(TestData.certs("snp/milan-trustee/vcek.der")));
        assertEquals(HexFormat.of().formatHex(java.util.Arrays.copyOfRange(
                TestData.read("snp/milan-trustee/report.bin"), 0x90, 0xC0)), result.claims().get("snp.measurement"));
    }
}
