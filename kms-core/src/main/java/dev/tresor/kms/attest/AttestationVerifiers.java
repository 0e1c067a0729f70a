package dev.tresor.kms.attest;

import dev.tresor.kms.service.KmsError;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The one entry point for evidence: picks the verifier for an evidence type ({@code snp, tdx,
 * tpm, token, sim-snp, az-snp-vtpm, az-tdx-vtpm}). Holds no state beyond its configuration, so
 * one instance serves every thread.
 */
public final class AttestationVerifiers {
    /** Larger evidence is refused before any parsing (a GCE attestation with its event log is ~40 KiB). */
    public static final int MAX_EVIDENCE_BYTES = 512 * 1024;

    private final AttestationTrust trust;
    private final SnpVerifier snp;
    private final TdxVerifier tdx;
    private final TpmQuoteVerifier tpm;
    private final TokenVerifier token;
    private final AzureVtpmVerifier azureSnp;
    private final AzureVtpmVerifier azureTdx;

    public AttestationVerifiers(AttestationTrust trust, Clock clock) {
        this.trust = Objects.requireNonNull(trust);
        Objects.requireNonNull(clock);
        snp = new SnpVerifier(trust, clock);
        tdx = new TdxVerifier(trust, clock);
        tpm = new TpmQuoteVerifier(trust, clock);
        token = new TokenVerifier(trust, clock);
        azureSnp = AzureVtpmVerifier.snp(snp);
        azureTdx = AzureVtpmVerifier.tdx(tdx);
    }

    public AttestationResult verify(String type, byte[] evidence, VerificationInputs inputs) {
        Objects.requireNonNull(inputs);
        if (evidence == null || evidence.length == 0) {
            throw KmsError.invalid("evidence is empty");
        }
        if (evidence.length > MAX_EVIDENCE_BYTES) {
            throw KmsError.invalid("evidence exceeds " + MAX_EVIDENCE_BYTES + " bytes");
        }
        EvidenceVerifier verifier = switch (String.valueOf(type)) {
            case "snp" -> snp;
            case "sim-snp" -> {
                if (trust.simulatedArk().isEmpty()) {
                    throw Reason.UNSUPPORTED_FORMAT.error("the simulated TEE is disabled");
                }
                yield snp;
            }
            case "tdx" -> tdx;
            case "tpm" -> tpm;
            case "token" -> token;
            case "az-snp-vtpm" -> azureSnp;
            case "az-tdx-vtpm" -> azureTdx;
            default -> throw KmsError.invalid("unknown evidence type " + type
                    + "; expected snp, tdx, tpm, token, sim-snp, az-snp-vtpm or az-tdx-vtpm");
        };
        AttestationResult result = verifier.verify(evidence, inputs);
        if (result.claims().containsKey("authority")) {
            return result;
        }
        Map<String, Object> claims = new HashMap<>(result.claims());
        claims.put("authority", "tresor");
        return new AttestationResult(result.tee(), claims);
    }
}
