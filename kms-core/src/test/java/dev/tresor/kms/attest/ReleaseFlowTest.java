package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.attest.jwe.JweEncrypter;
import dev.tresor.kms.attest.policy.PolicyContext;
import dev.tresor.kms.attest.policy.ReleaseGate;
import dev.tresor.kms.attest.policy.ReleasePolicy;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.WorkloadKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Challenge → simulated SNP evidence bound to the workload key → verdict → gate → JWE → workload decrypts. */
class ReleaseFlowTest {
    private static final byte[] SECRET = "key version 1 as a JWK".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The simulated chain keys are made once per JVM: RSA-3072 generation is slow. */
    private static final SimulatedSnp PLATFORM = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(filled(48, 0x42))),
            java.time.Instant.parse("2026-11-23T12:00:00Z"), RANDOM);
    private final MovableClock clock = MovableClock.at("2026-11-23T12:00:00Z");
    private final SecureRandom random = RANDOM;
    private final SimulatedSnp platform = PLATFORM;
    private final AttestationVerifiers verifiers = new AttestationVerifiers(
            AttestationTrust.defaults().withSimulatedArk(platform.ark()), clock);
    private final Challenges challenges = new Challenges(clock, random);
    private final ReleasePolicy policy = ReleasePolicy.parse("""
            {"version":"1.0","allOf":[{"claim":"tee","equals":"sim-snp"},
             {"claim":"snp.measurement","equals":"%s"},{"claim":"snp.vmpl","equals":0}]}""".formatted("42".repeat(48)),
            new PolicyContext(true, Map.of()));

    private static byte[] filled(int length, int value) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) value);
        return out;
    }

    private String release(Challenge answered, byte[] report, KeyPair workload) {
        Challenge challenge = challenges.consume(answered.id(), "tenant", "rest:key-1");
        byte[] expected = new ExpectedBinding.Native(challenge.nonce(), workload.getPublic()).reportData();
        AttestationResult verdict = verifiers.verify("snp", report, VerificationInputs.none()
                .withCertificates(SnpCertTable.parse(platform.certificateTable())).withExpectedReportData(expected));
        new ReleaseGate(true).authorize(verdict, policy);
        return new JweEncrypter(random).encrypt(workload.getPublic(), SECRET, Map.of("cty", "jwk+json")).compact();
    }

    private KeyPair workloadKey() {
        return WorkloadKeys.rsa();
    }

    private byte[] reportFor(Challenge challenge, KeyPair workload) {
        return platform.report(new ExpectedBinding.Native(challenge.nonce(), workload.getPublic()).reportData());
    }

    @Test
    void attestedWorkloadReceivesTheSecretItCanDecrypt() throws Exception {
        KeyPair workload = workloadKey();
        Challenge challenge = challenges.issue("tenant", "rest:key-1");
        String jwe = release(challenge, reportFor(challenge, workload), workload);
        assertArrayEquals(SECRET, WorkloadKeys.decrypt(jwe, workload.getPrivate()));
    }

    @Test
    void replayedExpiredOrMisboundEvidenceReleasesNothing() throws Exception {
        KeyPair workload = workloadKey();
        Challenge first = challenges.issue("tenant", "rest:key-1");
        byte[] report = reportFor(first, workload);
        release(first, report, workload);
        assertEquals(Reason.NONCE_REUSED, reason(() -> release(first, report, workload)));

        Challenge late = challenges.issue("tenant", "rest:key-1");
        byte[] lateReport = reportFor(late, workload);
        clock.advance(Duration.ofMinutes(6));
        assertEquals(Reason.NONCE_EXPIRED, reason(() -> release(late, lateReport, workload)));

        Challenge other = challenges.issue("tenant", "rest:key-1");
        KeyPair attacker = workloadKey();
        byte[] boundToWorkload = reportFor(other, workload);
        assertEquals(Reason.BINDING_MISMATCH, reason(() -> release(other, boundToWorkload, attacker)));
    }

    @Test
    void wrongMeasurementIsDeniedByThePolicy() throws Exception {
        SimulatedSnp stranger = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(filled(48, 0x43))),
                clock.instant(), random);
        KeyPair workload = workloadKey();
        Challenge challenge = challenges.issue("tenant", "rest:key-1");
        byte[] expected = new ExpectedBinding.Native(challenge.nonce(), workload.getPublic()).reportData();
        AttestationVerifiers trusting = new AttestationVerifiers(
                AttestationTrust.defaults().withSimulatedArk(stranger.ark()), clock);
        AttestationResult verdict = trusting.verify("sim-snp", stranger.report(expected), VerificationInputs.none()
                .withCertificates(SnpCertTable.parse(stranger.certificateTable())).withExpectedReportData(expected));
        KmsError error = assertThrows(KmsError.class, () -> new ReleaseGate(true).authorize(verdict, policy));
        assertEquals("POLICY_DENIED: allOf[1] snp.measurement equals", error.getMessage());
    }

    @Test
    void simulatedEvidenceIsRefusedWhenSimulationIsOff() {
        AttestationVerifiers production = new AttestationVerifiers(AttestationTrust.defaults(), clock);
        assertEquals(Reason.UNSUPPORTED_FORMAT, reason(() -> production.verify("sim-snp", new byte[SnpReport.LENGTH],
                VerificationInputs.none())));
    }

    private static Reason reason(org.junit.jupiter.api.function.Executable call) {
        return Reason.of(assertThrows(KmsError.class, call)).orElseThrow();
    }
}
