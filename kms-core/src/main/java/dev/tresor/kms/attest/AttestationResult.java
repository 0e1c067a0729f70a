package dev.tresor.kms.attest;

import java.util.Map;
import java.util.Objects;

/**
 * Verified evidence: the evidence type ({@code snp}, {@code tdx}, {@code tpm}, {@code token},
 * {@code sim-snp}, ...) and the normalised claims the release policy is evaluated against.
 */
public record AttestationResult(String tee, Map<String, Object> claims) {
    public AttestationResult {
        Objects.requireNonNull(tee);
        claims = Map.copyOf(claims);
    }
}
