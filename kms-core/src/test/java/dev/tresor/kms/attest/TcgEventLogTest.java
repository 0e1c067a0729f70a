package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.service.KmsError;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TcgEventLogTest {
    private static final java.time.Clock TDX_CLOCK = TestData.at("2025-07-01T00:00:00Z");

    private static Reason refusal(org.junit.jupiter.api.function.Executable call) {
        return Reason.of(assertThrows(KmsError.class, call)).orElseThrow();
    }

    @Test
    void ccelReplaysToTheQuotedRtmrs() {
        Map<Integer, byte[]> replayed = TcgEventLog.parse(TestData.read("tdx/gce-cos113-ccel/ccel_data.bin"))
                .replay(TpmAlgorithm.SHA384);
        assertEquals("f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1",
                HexFormat.of().formatHex(replayed.get(2)));
        TdxVerifier verifier = new TdxVerifier(AttestationTrust.defaults(), TDX_CLOCK);
        VerificationInputs inputs = VerificationInputs.none().withSignaturesOnly()
                .withEventLog(TestData.read("tdx/gce-cos113-ccel/ccel_data.bin"));
        assertEquals(true, verifier.verify(TestData.read("tdx/gce-cos113-ccel/quote.bin"), inputs).claims().get("tdx.ccel"));
    }

    @Test
    void eventLogOfAnotherTdIsRefused() {
        TdxVerifier verifier = new TdxVerifier(AttestationTrust.defaults(), TDX_CLOCK);
        VerificationInputs inputs = VerificationInputs.none().withSignaturesOnly()
                .withEventLog(TestData.read("tdx/gce-cos113-ccel/ccel_data.bin"));
        assertEquals(Reason.PCR_MISMATCH, refusal(() -> verifier.verify(TestData.read("tdx/dcapqvl-v4/quote.bin"), inputs)));
    }

    @Test
    void gceAttestationCarriesAnEventLogThatMatchesEveryMeasuredPcr() {
        TpmQuoteVerifier verifier = new TpmQuoteVerifier(AttestationTrust.defaults().withTpmCas(
                TestData.certs("tpm/gce-roots/tpm_ek_root_1.der"), TestData.certs("tpm/gce-roots/tpm_ek_intermediate_2.der")),
                TestData.SNP_CLOCK);
        assertEquals(true, verifier.verify(TestData.read("tpm/gce-cos85-nonce9009/attestation.pb"), VerificationInputs.none())
                .claims().get("tpm.event_log"));
    }

    @Test
    void eventLogThatDisagreesWithThePcrsIsRefused() throws Exception {
        TpmQuoteVerifier verifier = new TpmQuoteVerifier(AttestationTrust.defaults(), TestData.SNP_CLOCK);
        VerificationInputs inputs = VerificationInputs.none().withRegisteredAk(TpmQuoteVerifierTest.trusteeAk())
                .withEventLog(TestData.read("tpm/gce-cos85-nonce9009/event_log.bin"));
        assertEquals(Reason.PCR_MISMATCH, refusal(() -> verifier.verify(TestData.read("tpm/trustee-tpm/tpm_evidence.json"),
                inputs)));
    }

    @Test
    void truncatedLogIsMalformed() {
        byte[] log = TestData.read("tpm/gce-cos85-nonce9009/event_log.bin");
        assertEquals(Reason.MALFORMED, refusal(() -> TcgEventLog.parse(java.util.Arrays.copyOf(log, log.length - 7))));
    }
}
