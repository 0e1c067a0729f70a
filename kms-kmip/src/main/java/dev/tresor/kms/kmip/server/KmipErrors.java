package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single mapping from a refusal to a KMIP Result Reason and message, per protocol version:
 * reasons added in 2.0 (Object Not Found, Server Limit Exceeded, Wrong Key Lifecycle State) are never sent to a
 * 1.x client, nor the attestation reasons to a client older than 1.2, which could not decode them.
 */
public final class KmipErrors {
    private static final Logger LOG = Logger.getLogger(KmipErrors.class.getName());
    static final String INTERNAL_MESSAGE = "internal error";
    /**
     * The operations whose error table in the 2.0 spec does not list Wrong Key Lifecycle State
     * (2.1 adds it to them): a 2.0 client gets Permission Denied, which those tables do list.
     */
    private static final Set<Operation> ATTRIBUTE_EDITS = Set.of(Operation.ADD_ATTRIBUTE, Operation.ADJUST_ATTRIBUTE,
            Operation.DELETE_ATTRIBUTE, Operation.MODIFY_ATTRIBUTE, Operation.SET_ATTRIBUTE);

    /** A Result Reason and the Result Message that goes with it. */
    public record Refusal(ResultReason reason, String message) {
    }

    private KmipErrors() {
    }

    /** The refusal of {@code operation}, which failed with {@code error}, for a client speaking {@code version}. */
    public static Refusal refusal(RuntimeException error, ProtocolVersion version, Optional<Operation> operation,
                                  boolean attestationCapable) {
        String message = clientMessage(error, "KMIP " + operation.map(Operation::name).orElse("operation"));
        if (error instanceof KmipFailure failure) {
            return new Refusal(failure.reason(), message);
        }
        if (error instanceof KmsError kms) {
            return new Refusal(reason(kms, version, operation, attestationCapable), message);
        }
        return new Refusal(ResultReason.GENERAL_FAILURE, message);
    }

    /**
     * What a client is told of {@code error}, met by {@code what}: a refusal's own message; for an
     * INTERNAL {@code KmsError} or an unexpected error only {@value #INTERNAL_MESSAGE}, since its
     * message may name the data directory or a stored record, and the error itself (its cause and
     * what was added to it) is logged here, once.
     */
    public static String clientMessage(RuntimeException error, String what) {
        if (error instanceof KmipFailure || error instanceof KmsError kms && kms.code() != ErrorCode.INTERNAL) {
            return error.getMessage();
        }
        LOG.log(Level.SEVERE, what + " failed: " + error.getMessage(), error);
        return INTERNAL_MESSAGE;
    }

    /**
     * The code the audit record of a batch item names for a refusal the item raised itself (a
     * {@link KmipFailure}: {@link KmipFailure#auditCode}); anything else that is not a {@code KmsError} is INTERNAL.
     */
    public static ErrorCode auditCode(RuntimeException error) {
        return error instanceof KmipFailure failure ? failure.auditCode() : ErrorCode.INTERNAL;
    }

    private static ResultReason reason(KmsError error, ProtocolVersion version, Optional<Operation> operation,
                                       boolean attestationCapable) {
        if (error.is(KmsError.Detail.KEY_FORMAT_NOT_USABLE)) {
            return ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED;
        }
        if (error.is(KmsError.Detail.NOT_OFFERED)) {
            return ResultReason.FEATURE_NOT_SUPPORTED;
        }
        if (error.is(KmsError.Detail.CHANGED_MEANWHILE)) {
            // Not Wrong Key Lifecycle State / Permission Denied: clients take those as final.
            return ResultReason.GENERAL_FAILURE;
        }
        boolean two = version.isTwoOrLater();
        boolean attestation = version.atLeast(ProtocolVersion.V1_2);
        return switch (error.code()) {
            case UNAUTHENTICATED -> ResultReason.AUTHENTICATION_NOT_SUCCESSFUL;
            case NOT_FOUND -> two ? ResultReason.OBJECT_NOT_FOUND : ResultReason.ITEM_NOT_FOUND;
            case INVALID_ARGUMENT -> ResultReason.INVALID_FIELD;
            case PERMISSION_DENIED -> ResultReason.PERMISSION_DENIED;
            case RATE_LIMITED -> two ? ResultReason.SERVER_LIMIT_EXCEEDED : ResultReason.GENERAL_FAILURE;
            // Spec 1.4 table 327: without the indicator the client cannot attest, so it is simply denied.
            case ATTESTATION_REQUIRED -> attestation && attestationCapable ? ResultReason.ATTESTATION_REQUIRED
                    : ResultReason.PERMISSION_DENIED;
            case ATTESTATION_FAILED -> attestation ? ResultReason.ATTESTATION_FAILED : ResultReason.PERMISSION_DENIED;
            case FAILED_PRECONDITION -> two && !(version.equals(ProtocolVersion.V2_0)
                    && operation.filter(ATTRIBUTE_EDITS::contains).isPresent())
                    ? ResultReason.WRONG_KEY_LIFECYCLE_STATE : ResultReason.PERMISSION_DENIED;
            case SEALED, INTERNAL -> ResultReason.GENERAL_FAILURE;
        };
    }
}
