package dev.tresor.kms.attest;

/**
 * Checks one kind of evidence: a pure function of the evidence bytes, the configured trust, the
 * per-call inputs and the injected clock. No network; structure before crypto; the first
 * failing step refuses with its {@link Reason}.
 */
public sealed interface EvidenceVerifier
        permits SnpVerifier, TdxVerifier, TpmQuoteVerifier, AzureVtpmVerifier, TokenVerifier {

    AttestationResult verify(byte[] evidence, VerificationInputs inputs);
}
