package dev.tresor.kms.service;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The one error type of the service API. The message is safe to show to the caller: it names
 * the problem (a field, a limit) but never secret material or why a decryption failed.
 * A failure met later can be added to one as suppressed ({@link Suppression#add}); so an instance
 * is never shared by calls or kept to be thrown again, as what one call adds would reach the others:
 * each throw gets its own.
 */
public final class KmsError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What a refusal is, beyond its code, where a front-end's wire tells it apart. */
    public enum Detail {
        /** The one answer to any failed decryption or unwrap ({@link #decryptionFailed()}). */
        DECRYPTION_FAILURE,
        /** The object holds no key in a form the core reads ({@link #keyFormatNotUsable}). */
        KEY_FORMAT_NOT_USABLE,
        /** A compare-and-set lost: the state read was changed since ({@link #changedMeanwhile}); worth trying again. */
        CHANGED_MEANWHILE,
        /**
         * The request is valid but asks for what this server does not offer ({@link #notOffered}).
         * KMIP answers Feature Not Supported; REST answers by the code alone, 400 INVALID_ARGUMENT,
         * since the STACKIT API it serves documents no 501.
         */
        NOT_OFFERED
    }

    private final ErrorCode code;
    private final transient Duration retryAfter;
    private final Detail detail;

    private KmsError(ErrorCode code, String message, Duration retryAfter, Throwable cause) {
        this(code, message, retryAfter, cause, null);
    }

    private KmsError(ErrorCode code, String message, Duration retryAfter, Throwable cause, Detail detail) {
        // suppression on, so a failure added to one (a seal listener's, say) reaches the log with it
        super(Objects.requireNonNull(message), cause, true, false);
        this.code = Objects.requireNonNull(code);
        this.retryAfter = retryAfter;
        this.detail = detail;
    }

    public static KmsError of(ErrorCode code, String message) {
        return new KmsError(code, message, null, null);
    }

    public static KmsError notFound(String what) {
        return of(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static KmsError invalid(String message) {
        return of(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static KmsError precondition(String message) {
        return of(ErrorCode.FAILED_PRECONDITION, message);
    }

    public static KmsError denied(String message) {
        return of(ErrorCode.PERMISSION_DENIED, message);
    }

    public static KmsError internal(String message, Throwable cause) {
        return new KmsError(ErrorCode.INTERNAL, message, null, cause);
    }

    public static KmsError rateLimited(Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return new KmsError(ErrorCode.RATE_LIMITED,
                "rate limit exceeded for this KMS instance; retry after " + seconds + " s", retryAfter, null);
    }

    /** The one answer to any failed decryption or unwrap, whatever the reason: no oracle. */
    public static KmsError decryptionFailed() {
        return new KmsError(ErrorCode.INVALID_ARGUMENT, "decryption failed", null, null, Detail.DECRYPTION_FAILURE);
    }

    /** INVALID_ARGUMENT: the object's key is in no form the core reads, so it cannot be used as asked. */
    public static KmsError keyFormatNotUsable(String message) {
        return new KmsError(ErrorCode.INVALID_ARGUMENT, message, null, null, Detail.KEY_FORMAT_NOT_USABLE);
    }

    /**
     * FAILED_PRECONDITION: the attributes of {@code what} ("key 1234") are no longer what the caller
     * read before changing them; a fresh read and the same change may well succeed.
     */
    public static KmsError changedMeanwhile(String what) {
        return new KmsError(ErrorCode.FAILED_PRECONDITION, "the attributes of " + what
                + " were changed by another call meanwhile; try again", null, null, Detail.CHANGED_MEANWHILE);
    }

    /** INVALID_ARGUMENT: the request is well formed, but asks for what this server does not offer. */
    public static KmsError notOffered(String message) {
        return new KmsError(ErrorCode.INVALID_ARGUMENT, message, null, null, Detail.NOT_OFFERED);
    }

    /** True for the one generic decryption failure (a front-end maps it to its own "cryptographic failure"). */
    public boolean isDecryptionFailure() {
        return is(Detail.DECRYPTION_FAILURE);
    }

    public boolean is(Detail kind) {
        return detail == kind;
    }

    public ErrorCode code() {
        return code;
    }

    /** When a rate-limited caller may try again; present only for {@link ErrorCode#RATE_LIMITED}. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
