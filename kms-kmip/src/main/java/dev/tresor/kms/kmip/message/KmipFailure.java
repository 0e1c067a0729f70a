package dev.tresor.kms.kmip.message;

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

    public static KmipFailure invalidMessage(String message) {
        return new KmipFailure(ResultReason.INVALID_MESSAGE, message);
    }

    public static KmipFailure notSupported(String message) {
        return new KmipFailure(ResultReason.FEATURE_NOT_SUPPORTED, message);
    }
}
