package dev.tresor.kms.attest;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.Optional;

/**
 * Why evidence was refused. Every refusal is a {@link KmsError} with code
 * {@link ErrorCode#ATTESTATION_FAILED} whose message starts with the reason name, so the REST
 * body, the KMIP result message and the audit record all carry the same machine-readable code.
 */
public enum Reason {
    MALFORMED, UNSUPPORTED_FORMAT, UNTRUSTED_ROOT, CHAIN_INVALID, CERT_EXPIRED, REVOKED,
    SIGNATURE_INVALID, QE_REPORT_INVALID, QE_BINDING_INVALID, QE_IDENTITY_MISMATCH, TCB_MISMATCH,
    CHIP_ID_MISMATCH, COLLATERAL_MISSING, COLLATERAL_INVALID, COLLATERAL_STALE, COLLATERAL_MISMATCH,
    TCB_NOT_SUPPORTED, TCB_REVOKED, PCR_MISMATCH, AK_UNTRUSTED, BINDING_MISMATCH, NONCE_UNKNOWN,
    NONCE_EXPIRED, NONCE_REUSED, TOKEN_MALFORMED, TOKEN_ALG_REFUSED, TOKEN_KEY_UNTRUSTED, TOKEN_EXPIRED,
    TOKEN_CLAIMS_INVALID, BASELINE_REFUSED, POLICY_DENIED;

    /** The refusal for this reason; {@code detail} names the failing item, never a secret. */
    public KmsError error(String detail) {
        return KmsError.of(ErrorCode.ATTESTATION_FAILED, name() + ": " + detail);
    }

    /** The reason carried by an attestation failure, if {@code error} is one. */
    public static Optional<Reason> of(KmsError error) {
        if (error.code() != ErrorCode.ATTESTATION_FAILED) {
            return Optional.empty();
        }
        String message = error.getMessage();
        int colon = message.indexOf(':');
        String name = colon < 0 ? message : message.substring(0, colon);
        for (Reason reason : values()) {
            if (reason.name().equals(name)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
