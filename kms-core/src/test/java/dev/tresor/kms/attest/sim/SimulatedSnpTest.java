package dev.tresor.kms.attest.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.attest.AttestationTrust;
import dev.tresor.kms.attest.Reason;
import dev.tresor.kms.attest.SnpCertTable;
import dev.tresor.kms.attest.SnpProduct;
import dev.tresor.kms.attest.SnpVerifier;
import dev.tresor.kms.attest.VerificationInputs;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedSnpTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final byte[] MEASUREMENT = new byte[48];
    private static final SimulatedSnp MILAN = SimulatedSnp.create(
            SimulatedSnp.Launch.milan(Bytes.of(filled(MEASUREMENT, 0x5A))), NOW, new SecureRandom());

    private static byte[] filled(byte[] array, int value) {
        Arrays.fill(array, (byte) value);
        return array;
    }

    private static VerificationInputs inputs(SimulatedSnp platform, byte[] reportData) {
        return VerificationInputs.none().withCertificates(SnpCertTable.parse(platform.certificateTable()))
                .withExpectedReportData(reportData);
    }

    @Test
    void simulatedReportVerifiesAsSimSnpWhenItsRootIsPinned() {
        byte[] reportData = filled(new byte[64], 7);
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults().withSimulatedArk(MILAN.ark()), CLOCK);
        Map<String, Object> claims = verifier.verify(MILAN.report(reportData), inputs(MILAN, reportData)).claims();
        assertEquals("sim-snp", claims.get("tee"));
        assertEquals(true, claims.get("simulated"));
        assertEquals(true, claims.get("bound"));
        assertEquals("5a".repeat(48), claims.get("snp.measurement"));
        assertEquals("Milan", claims.get("snp.product"));
        assertEquals(22L, claims.get("snp.reported_tcb.snp"));
    }

    @Test
    void simulatedReportIsRefusedWhenSimulationIsOff() {
        byte[] reportData = new byte[64];
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults(), CLOCK);
        KmsError error = assertThrows(KmsError.class,
                () -> verifier.verify(MILAN.report(reportData), inputs(MILAN, reportData)));
        assertEquals(Reason.UNTRUSTED_ROOT, Reason.of(error).orElseThrow());
    }

    @Test
    void reportOfAnotherSimulatedPlatformIsUntrusted() {
        SimulatedSnp other = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(MEASUREMENT)), NOW, new SecureRandom());
        byte[] reportData = new byte[64];
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults().withSimulatedArk(MILAN.ark()), CLOCK);
        KmsError error = assertThrows(KmsError.class,
                () -> verifier.verify(other.report(reportData), inputs(other, reportData)));
        assertEquals(Reason.UNTRUSTED_ROOT, Reason.of(error).orElseThrow());
    }

    @Test
    void turinLayoutCarriesTheFmcSpl() {
        SimulatedSnp turin = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(MEASUREMENT))
                .withProduct(SnpProduct.TURIN), NOW, new SecureRandom());
        byte[] reportData = new byte[64];
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults().withSimulatedArk(turin.ark()), CLOCK);
        Map<String, Object> claims = verifier.verify(turin.report(reportData), inputs(turin, reportData)).claims();
        assertEquals("Turin", claims.get("snp.product"));
        assertEquals(0L, claims.get("snp.reported_tcb.fmc"));
        assertEquals(213L, claims.get("snp.reported_tcb.microcode"));
    }

    @Test
    void tamperedSimulatedReportFailsItsSignature() {
        byte[] reportData = new byte[64];
        byte[] report = MILAN.report(reportData);
        report[0x90] ^= 1;
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults().withSimulatedArk(MILAN.ark()), CLOCK);
        KmsError error = assertThrows(KmsError.class, () -> verifier.verify(report, inputs(MILAN, reportData)));
        assertEquals(Reason.SIGNATURE_INVALID, Reason.of(error).orElseThrow());
    }

    @Test
    void anAmdRootCannotBePinnedAsTheSimulatedArk() throws Exception {
        byte[] pem = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(System.getProperty("tresor.shared"),
                "testdata", "attestation", "snp", "roots", "milan_ask_ark.pem"));
        var ark = dev.tresor.kms.attest.Certificates.parse(pem).get(1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AttestationTrust.defaults().withSimulatedArk(ark));
    }

    @Test
    void debugPolicyIsVisibleInTheClaims() {
        SimulatedSnp debug = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(MEASUREMENT))
                .withPolicy(0x30000L | 1L << 19), NOW, new SecureRandom());
        byte[] reportData = new byte[64];
        SnpVerifier verifier = new SnpVerifier(AttestationTrust.defaults().withSimulatedArk(debug.ark()), CLOCK);
        assertEquals(true, verifier.verify(debug.report(reportData), inputs(debug, reportData)).claims()
                .get("snp.policy.debug"));
    }
}
