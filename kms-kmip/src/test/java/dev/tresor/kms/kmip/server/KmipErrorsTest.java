package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.LoggedRecords;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Every core error code has a KMIP reason in every version, and none a client of that version cannot decode. */
class KmipErrorsTest {
    private static final Optional<Operation> ENCRYPT = Optional.of(Operation.ENCRYPT);

    /** Result Reasons 0x19 to 0xFF arrived with KMIP 2.0; General Failure (0x100) exists since 1.0. */
    private static boolean knownTo(ProtocolVersion version, ResultReason reason) {
        if (reason.code() >= 0x19 && reason.code() < 0x100 && !version.isTwoOrLater()) {
            return false;
        }
        return reason.code() < 0x14 || reason.code() > 0x15 || version.atLeast(ProtocolVersion.V1_2);
    }

    @Test
    void everyCodeMapsToAReasonTheVersionDefines() {
        for (ProtocolVersion version : ProtocolVersion.SUPPORTED) {
            for (ErrorCode code : ErrorCode.values()) {
                for (Operation operation : Operation.values()) {
                    for (boolean attestationCapable : new boolean[] {false, true}) {
                        ResultReason reason = KmipErrors.refusal(KmsError.of(code, "m"), version,
                                Optional.of(operation), attestationCapable).reason();
                        assertTrue(knownTo(version, reason), code + " of " + operation + " at " + version
                                + " became " + reason);
                    }
                }
            }
        }
    }

    @Test
    void aLostCompareAndSetIsAGeneralFailureInEveryVersionNotAFinalLookingReason() {
        KmsError lost = KmsError.changedMeanwhile("object 1234");
        for (ProtocolVersion version : ProtocolVersion.SUPPORTED) {
            KmipErrors.Refusal refusal = KmipErrors.refusal(lost, version, ENCRYPT, false);
            assertEquals(ResultReason.GENERAL_FAILURE, refusal.reason(), version.toString());
            assertEquals("the attributes of object 1234 were changed by another call meanwhile; try again",
                    refusal.message());
        }
    }

    /**
     * The 2.0 spec lists Wrong Key Lifecycle State for the cryptographic and lifecycle operations
     * but not for the attribute edits, where 2.1 adds it; so a 2.0 client's attribute edit is denied.
     */
    @Test
    void aWrongLifecycleStateIsPermissionDeniedForA20AttributeEditAndBefore20() {
        KmsError wrongState = KmsError.of(ErrorCode.FAILED_PRECONDITION, "ACTIVATION_DATE:!PRE_ACTIVE");
        for (Operation edit : new Operation[] {Operation.ADD_ATTRIBUTE, Operation.ADJUST_ATTRIBUTE,
                Operation.DELETE_ATTRIBUTE, Operation.MODIFY_ATTRIBUTE, Operation.SET_ATTRIBUTE}) {
            assertEquals(ResultReason.PERMISSION_DENIED,
                    KmipErrors.refusal(wrongState, ProtocolVersion.V2_0, Optional.of(edit), false).reason(), edit.name());
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE,
                    KmipErrors.refusal(wrongState, ProtocolVersion.V2_1, Optional.of(edit), false).reason(), edit.name());
        }
        for (Operation use : new Operation[] {Operation.ENCRYPT, Operation.DECRYPT, Operation.SIGN, Operation.DESTROY}) {
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE,
                    KmipErrors.refusal(wrongState, ProtocolVersion.V2_0, Optional.of(use), false).reason(), use.name());
            assertEquals(ResultReason.PERMISSION_DENIED,
                    KmipErrors.refusal(wrongState, ProtocolVersion.V1_4, Optional.of(use), false).reason(), use.name());
        }
    }

    @Test
    void rateLimitingSaysWhenToRetryInEitherMajorVersion() {
        KmsError limited = KmsError.rateLimited(Duration.ofSeconds(42));
        KmipErrors.Refusal two = KmipErrors.refusal(limited, ProtocolVersion.V2_1, ENCRYPT, false);
        KmipErrors.Refusal one = KmipErrors.refusal(limited, ProtocolVersion.V1_4, ENCRYPT, false);
        assertEquals(ResultReason.SERVER_LIMIT_EXCEEDED, two.reason());
        assertEquals(ResultReason.GENERAL_FAILURE, one.reason());
        assertTrue(one.message().contains("retry after 42 s") && two.message().contains("retry after 42 s"));
    }

    @Test
    void attestationRequiredOnlyForAClientThatSaidItCanAttest() {
        KmsError required = KmsError.of(ErrorCode.ATTESTATION_REQUIRED, "attest");
        assertEquals(ResultReason.ATTESTATION_REQUIRED,
                KmipErrors.refusal(required, ProtocolVersion.V1_4, ENCRYPT, true).reason());
        assertEquals(ResultReason.PERMISSION_DENIED,
                KmipErrors.refusal(required, ProtocolVersion.V1_4, ENCRYPT, false).reason());
        assertEquals(ResultReason.PERMISSION_DENIED,
                KmipErrors.refusal(required, ProtocolVersion.V1_1, ENCRYPT, true).reason());
    }

    @Test
    void anInternalErrorIsLoggedWithWhatWasAddedToItAndTheClientIsToldNothingOfIt() {
        KmsError unreadable = KmsError.internal("stored KeyVersion is unreadable", new IllegalStateException("json"));
        IllegalStateException listener = new IllegalStateException("a listener failed too");
        unreadable.addSuppressed(listener);
        KmsError denied = KmsError.denied("not yours");

        KmipErrors.Refusal refusal;
        KmipErrors.Refusal refusedUndo;
        List<LogRecord> logged;
        try (LoggedRecords logs = LoggedRecords.of(KmipErrors.class)) {
            refusal = KmipErrors.refusal(unreadable, ProtocolVersion.V2_1, Optional.of(Operation.GET), false);
            refusedUndo = new KmipErrors.Refusal(ResultReason.GENERAL_FAILURE,
                    KmipErrors.clientMessage(unreadable, "undo of a KMIP batch"));
            assertEquals("not yours", KmipErrors.clientMessage(denied, "undo of a KMIP batch"));
            logged = logs.records();
        }

        assertEquals(new KmipErrors.Refusal(ResultReason.GENERAL_FAILURE, "internal error"), refusal);
        assertEquals(refusal, refusedUndo);
        assertEquals(List.of("KMIP GET failed: stored KeyVersion is unreadable",
                "undo of a KMIP batch failed: stored KeyVersion is unreadable"),
                logged.stream().map(LogRecord::getMessage).toList());
        for (LogRecord record : logged) {
            assertEquals(Level.SEVERE, record.getLevel());
            assertSame(unreadable, record.getThrown());
            assertEquals(List.of(listener), List.of(record.getThrown().getSuppressed()));
        }
    }

    @Test
    void protocolFailuresKeepTheirReasonAndUnexpectedErrorsSayNothing() {
        assertEquals(ResultReason.OPERATION_NOT_SUPPORTED, KmipErrors.refusal(
                new KmipFailure(ResultReason.OPERATION_NOT_SUPPORTED, "no"), ProtocolVersion.V2_1, ENCRYPT, false).reason());
        KmipErrors.Refusal bug = KmipErrors.refusal(new IllegalStateException("secret detail"), ProtocolVersion.V2_1, ENCRYPT, false);
        assertEquals(ResultReason.GENERAL_FAILURE, bug.reason());
        assertEquals("internal error", bug.message());
    }
}
