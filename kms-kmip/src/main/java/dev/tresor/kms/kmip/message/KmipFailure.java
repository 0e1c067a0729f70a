package dev.tresor.kms.kmip.message;

import dev.tresor.kms.service.ErrorCode;
import java.util.Objects;

/**
 * A refusal that only the KMIP protocol knows (an operation or feature Tresor does not offer, a
 * malformed message). Everything the core refuses arrives as a {@code KmsError} instead; both
 * become a failed batch item in {@code KmipErrors}.
 */
public final class KmipFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ResultReason reason;

    public KmipFailure(ResultReason reason, String message) {
        super(Objects.requireNonNull(message), null, false, false);
        this.reason = Objects.requireNonNull(reason);
    }

    public ResultReason reason() {
        return reason;
    }

    /** The core's code for this refusal, which audit records name. */
    public ErrorCode auditCode() {
        return switch (reason) {
            case ITEM_NOT_FOUND, OBJECT_NOT_FOUND -> ErrorCode.NOT_FOUND;
            case AUTHENTICATION_NOT_SUCCESSFUL -> ErrorCode.UNAUTHENTICATED;
            case PERMISSION_DENIED, NOT_EXTRACTABLE, SENSITIVE, INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK, ATTRIBUTE_READ_ONLY ->
                    ErrorCode.PERMISSION_DENIED;
            case ATTESTATION_REQUIRED -> ErrorCode.ATTESTATION_REQUIRED;
            case ATTESTATION_FAILED -> ErrorCode.ATTESTATION_FAILED;
            case SERVER_LIMIT_EXCEEDED -> ErrorCode.RATE_LIMITED;
            case WRONG_KEY_LIFECYCLE_STATE, OBJECT_DESTROYED -> ErrorCode.FAILED_PRECONDITION;
            case GENERAL_FAILURE -> ErrorCode.INTERNAL;
            case RESPONSE_TOO_LARGE, INVALID_MESSAGE, OPERATION_NOT_SUPPORTED, MISSING_DATA, INVALID_FIELD,
                 FEATURE_NOT_SUPPORTED, CRYPTOGRAPHIC_FAILURE, KEY_FORMAT_TYPE_NOT_SUPPORTED,
                 ATTRIBUTE_SINGLE_VALUED, NON_UNIQUE_NAME_ATTRIBUTE, PROTECTION_STORAGE_UNAVAILABLE -> ErrorCode.INVALID_ARGUMENT;
        };
    }

    public static KmipFailure invalidMessage(String message) {
        return new KmipFailure(ResultReason.INVALID_MESSAGE, message);
    }

    public static KmipFailure notSupported(String message) {
        return new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, message);
    }
}
