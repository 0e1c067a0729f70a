package dev.tresor.kms.service;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.AttestationVerifiers;
import dev.tresor.kms.attest.Challenge;
import dev.tresor.kms.attest.Challenges;
import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.attest.SnpCertTable;
import dev.tresor.kms.attest.TdxCollateralStore;
import dev.tresor.kms.attest.VerificationInputs;
import dev.tresor.kms.attest.jwe.Jwe;
import dev.tresor.kms.attest.kbs.KbsSessions;
import dev.tresor.kms.attest.jwe.JweEncrypter;
import dev.tresor.kms.attest.policy.Decision;
import dev.tresor.kms.attest.policy.PolicyContext;
import dev.tresor.kms.attest.policy.ReleaseGate;
import dev.tresor.kms.attest.policy.ReleasePolicy;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.key.ReleaseTerms;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The attestation step of gated calls: consume the challenge, verify the evidence against the
 * REST binding SHA-512(nonce ‖ SPKI), then the baseline guard AND the key's release policy. Every
 * attempt gets its own audit record ({@code attestation.verify}) with the verdict, the reason,
 * the deciding condition and the decisive claims; never evidence bytes or key material.
 */
final class AttestationGate {
    /** REST challenges are answered at the REST release and gated-decrypt routes only. */
    static final String REST_AUDIENCE = "rest";
    static final String KMIP_AUDIENCE = "kmip";
    /** Claims worth keeping in the audit record: which guest it was, and what usually decides. */
    private static final List<String> AUDITED_CLAIMS = List.of("tee", "simulated", "snp.measurement",
            "snp.policy.debug", "snp.vmpl", "snp.product", "tdx.mrtd", "tdx.td_attributes.debug", "tdx.tcb_status",
            "tpm.ak.sha256", "ear.status");

    private final Challenges challenges;
    private final KbsSessions kbsSessions;
    private final AttestationVerifiers verifiers;
    private final TdxCollateralStore collateral;
    private final ReleaseGate gate;
    private final PolicyContext policies;
    private final Optional<SimulatedSnp> simulator;
    private final JweEncrypter jwe;
    private final AuditLog audit;
    private final Clock clock;

    AttestationGate(AttestationOptions options, AuditLog audit, Clock clock, SecureRandom random) {
        this.challenges = new Challenges(clock, random);
        this.kbsSessions = new KbsSessions(challenges, clock);
        this.verifiers = new AttestationVerifiers(options.effectiveTrust(), clock);
        this.collateral = options.collateral();
        this.gate = new ReleaseGate(options.allowSimulated());
        this.policies = new PolicyContext(options.allowSimulated(), Map.of());
        this.simulator = options.simulator();
        this.jwe = new JweEncrypter(random);
        this.audit = audit;
        this.clock = clock;
    }

    Challenge issue(TenantId tenant) {
        return challenges.issue(tenant.path(), REST_AUDIENCE);
    }

    /** A REST challenge only the key {@code keyId} accepts (release and attested decrypt of another key refuse it). */
    Challenge issueFor(TenantId tenant, String keyId) {
        return challenges.issue(tenant.path(), keyAudience(keyId));
    }

    private static String keyAudience(String keyId) {
        return REST_AUDIENCE + ":key/" + keyId;
    }

    /** KBS sessions share the nonce store with every other challenge. */
    KbsSessions kbsSessions() {
        return kbsSessions;
    }

    /** A challenge for the KMIP Attestation credential (sent in an Attestation Required answer). */
    Challenge issueKmip(TenantId tenant) {
        return challenges.issue(tenant.path(), KMIP_AUDIENCE);
    }

    /** Validates a policy's JSON text; INVALID_ARGUMENT naming the problem. */
    ReleasePolicy parse(String json) {
        return ReleasePolicy.parse(json, policies);
    }

    /**
     * Admits the caller's evidence for one use of a key with {@code terms}, or refuses: no policy →
     * FAILED_PRECONDITION; anything about the evidence → ATTESTATION_FAILED with its reason.
     */
    AttestationResult admit(Caller caller, String resource, String keyId, ReleaseTerms terms, Evidence evidence) {
        PublicKey workloadKey = evidence.publicKey();
        return admit(caller, resource, terms, evidence.nonceId(), evidence.type(), evidence.evidence(),
                evidence.certificateTable(), () -> {
                    Challenge challenge = challenges.consume(evidence.nonceId(), caller.tenant().path(),
                            Set.of(REST_AUDIENCE, keyAudience(keyId)));
                    return new ExpectedBinding.Native(challenge.nonce(), workloadKey).reportData();
                });
    }

    /** The same for KMIP: the client echoes Nonce ID and Value; the binding includes its mTLS certificate. */
    AttestationResult admit(Caller caller, String resource, ReleaseTerms terms, KmipAttestation attestation) {
        String nonceId = new String(attestation.nonceId().toArray(), StandardCharsets.US_ASCII);
        return admit(caller, resource, terms, nonceId, attestation.type(), attestation.measurement(),
                attestation.certificateTable(), () -> {
                    challenges.consume(nonceId, attestation.nonceValue(), caller.tenant().path(), KMIP_AUDIENCE);
                    return new ExpectedBinding.Kmip(attestation.nonceId(), attestation.nonceValue(),
                            attestation.clientCertificate()).reportData();
                });
    }

    private AttestationResult admit(Caller caller, String resource, ReleaseTerms terms, String nonceId, String type,
                                    Bytes evidence, Optional<Bytes> certificateTable, Supplier<byte[]> consumeAndBind) {
        String policyJson = terms.policy().orElseThrow(() -> KmsError.precondition(
                resource + " has no release policy; nothing is released without one"));
        Map<String, String> details = attemptDetails(type, nonceId, evidence);
        return audited(caller, resource, details, () -> {
            VerificationInputs inputs = VerificationInputs.none().withExpectedReportData(consumeAndBind.get());
            if (certificateTable.isPresent()) {
                inputs = inputs.withCertificates(SnpCertTable.parse(certificateTable.get().toArray()));
            }
            AttestationResult result = verifyWithClaims(type, evidence, inputs, details);
            Decision decision = gate.authorize(result, parse(policyJson));
            details.put("verdict", "admitted");
            details.put("decided_by", abbreviated(decision.decidedBy()));
            return result;
        });
    }

    /**
     * Verifies evidence without deciding a release yet (KBS attest: the policy belongs to the
     * resource asked for later). Audited as {@code attestation.verify} with verdict
     * {@code verified} or {@code refused} and the decisive claims; {@code accept} may still refuse
     * a verified result (the KBS init-data), and the record then says so.
     */
    AttestationResult verify(Caller caller, String resource, String nonceId, String type, Bytes evidence,
                             Supplier<VerificationInputs> consumeAndBind, Consumer<AttestationResult> accept) {
        Map<String, String> details = attemptDetails(type, nonceId, evidence);
        return audited(caller, resource, details, () -> {
            AttestationResult result = verifyWithClaims(type, evidence, consumeAndBind.get(), details);
            accept.accept(result);
            details.put("verdict", "verified");
            return result;
        });
    }

    /**
     * The release decision over a verdict reached earlier (a KBS session): baseline guard AND the
     * key's policy; no policy → FAILED_PRECONDITION. Audited like {@link #admit}.
     */
    Decision authorize(Caller caller, String resource, ReleaseTerms terms, AttestationResult result) {
        String policyJson = terms.policy().orElseThrow(() -> KmsError.precondition(
                resource + " has no release policy; nothing is released without one"));
        Map<String, String> details = new TreeMap<>();
        details.put("type", result.tee());
        putClaims(details, result);
        return audited(caller, resource, details, () -> {
            Decision decision = gate.authorize(result, parse(policyJson));
            details.put("verdict", "admitted");
            details.put("decided_by", abbreviated(decision.decidedBy()));
            return decision;
        });
    }

    /**
     * Verifies evidence with the configured trust and collateral and answers the verdict, for
     * operators checking their configuration; bound only if the caller names the report data.
     */
    AttestationResult check(Caller caller, String type, Bytes evidence, Optional<Bytes> certificateTable,
                            Optional<Bytes> expectedReportData) {
        return verify(caller, "attestation/verifications", "-", type, evidence, () -> {
            VerificationInputs inputs = VerificationInputs.none();
            if (certificateTable.isPresent()) {
                inputs = inputs.withCertificates(SnpCertTable.parse(certificateTable.get().toArray()));
            }
            return expectedReportData.map(Bytes::toArray).map(inputs::withExpectedReportData).orElse(inputs);
        }, result -> { });
    }

    /** The claims worth naming outside the audit log too (the KBS token's {@code tresor} claim). */
    static Map<String, Object> decisiveClaims(AttestationResult result) {
        Map<String, Object> claims = new TreeMap<>();
        for (String claim : AUDITED_CLAIMS) {
            Object value = result.claims().get(claim);
            if (value != null) {
                claims.put(claim, value);
            }
        }
        return claims;
    }

    private AttestationResult verifyWithClaims(String type, Bytes evidence, VerificationInputs inputs,
                                               Map<String, String> details) {
        byte[] bytes = evidence.toArray();
        AttestationResult result = verifiers.verify(type, bytes, collateral.supplement(type, bytes, inputs,
                clock.instant()));
        putClaims(details, result);
        return result;
    }

    private static Map<String, String> attemptDetails(String type, String nonceId, Bytes evidence) {
        Map<String, String> details = new TreeMap<>();
        details.put("type", type);
        details.put("nonce_id", abbreviated(nonceId));
        details.put("evidence_sha256", HexFormat.of().formatHex(sha256(evidence.toArray())));
        return details;
    }

    private static void putClaims(Map<String, String> details, AttestationResult result) {
        decisiveClaims(result).forEach((claim, value) -> details.put(claim, abbreviated(value.toString())));
    }

    /** Runs one attempt and writes its audit record: the attempt's own result, or the refusal and its reason. */
    private <T> T audited(Caller caller, String resource, Map<String, String> details, Supplier<T> attempt) {
        try {
            T outcome = attempt.get();
            record(caller, resource, AuditEvent.OK, details);
            return outcome;
        } catch (KmsError refused) {
            details.put("verdict", "refused");
            details.put("reason", abbreviated(refused.getMessage()));
            record(caller, resource, refused.code().name(), details);
            throw refused;
        }
    }

    /** Encrypts {@code payload} to the workload key of {@code evidence} as a compact JWE. */
    String seal(Evidence evidence, byte[] payload, Map<String, String> headers) {
        return jwe.encrypt(evidence.publicKey(), payload, headers).compact();
    }

    /** Encrypts {@code payload} to {@code workloadKey} (KBS answers the flattened form). */
    Jwe sealTo(PublicKey workloadKey, byte[] payload, Map<String, String> headers) {
        return jwe.encrypt(workloadKey, payload, headers);
    }

    /** A report from the simulated platform, for dev mode only. */
    SimulatedEvidence simulate(Bytes reportData, Optional<Bytes> measurement, Optional<Long> policy) {
        SimulatedSnp platform = simulator.orElseThrow(() -> KmsError.precondition(
                "the simulated TEE is off; start the server with --dev or attestation.allowSimulated=true"));
        if (reportData.length() != 64) {
            throw KmsError.invalid("reportData must be 64 bytes, not " + reportData.length());
        }
        if (measurement.isPresent() && measurement.get().length() != 48) {
            throw KmsError.invalid("measurement must be 48 bytes, not " + measurement.get().length());
        }
        if (policy.isPresent() && (policy.get() & (1L << 17)) == 0) {
            throw KmsError.invalid("policy must have bit 17 set");
        }
        SimulatedSnp.Launch launch = platform.launch();
        launch = measurement.map(launch::withMeasurement).orElse(launch);
        launch = policy.map(launch::withPolicy).orElse(launch);
        SimulatedSnp guest = platform.relaunched(launch);
        return new SimulatedEvidence(Bytes.wrap(guest.report(reportData.toArray())),
                Bytes.wrap(guest.certificateTable()));
    }

    private void record(Caller caller, String resource, String result, Map<String, String> details) {
        audit.record(new AuditEvent(clock.instant(), caller.principal().toString(), caller.tenant().path(),
                "attestation.verify", resource, result, details));
    }

    private static String abbreviated(String value) {
        return value.length() <= 256 ? value : value.substring(0, 253) + "...";
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
