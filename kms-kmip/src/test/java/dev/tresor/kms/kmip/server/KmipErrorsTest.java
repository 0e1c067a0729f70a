package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every core error code has a KMIP reason in every version, and none a client of that version cannot decode. */
class KmipErrorsTest {
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
                for (boolean attestationCapable : new boolean[] {false, true}) {
                    ResultReason reason = KmipErrors.refusal(KmsError.of(code, "m"), version, attestationCapable).reason();
                    assertTrue(knownTo(version, reason), code + " at " + version + " became " + reason);
                }
            }
        }
    }

    @Test
    void aLostCompareAndSetIsAGeneralFailureInEveryVersionNotAFinalLookingReason() {
        KmsError lost = KmsError.changedMeanwhile("object 1234");
        for (ProtocolVersion version : ProtocolVersion.SUPPORTED) {
            KmipErrors.Refusal refusal = KmipErrors.refusal(lost, version, false);
            assertEquals(ResultReason.GENERAL_FAILURE, refusal.reason(), version.toString());
            assertEquals("the attributes of object 1234 were changed by another call meanwhile; try again",
                    refusal.message());
        }
    }

    @Test
    void rateLimitingSaysWhenToRetryInEitherMajorVersion() {
        KmsError limited = KmsError.rateLimited(Duration.ofSeconds(42));
        KmipErrors.Refusal two = KmipErrors.refusal(limited, ProtocolVersion.V2_1, false);
        KmipErrors.Refusal one = KmipErrors.refusal(limited, ProtocolVersion.V1_4, false);
        assertEquals(ResultReason.SERVER_LIMIT_EXCEEDED, two.reason());
        assertEquals(ResultReason.GENERAL_FAILURE, one.reason());
        assertTrue(one.message().contains("retry after 42 s") && two.message().contains("retry after 42 s"));
    }

    @Test
    void attestationRequiredOnlyForAClientThatSaidItCanAttest() {
        KmsError required = KmsError.of(ErrorCode.ATTESTATION_REQUIRED, "attest");
        assertEquals(ResultReason.ATTESTATION_REQUIRED,
                KmipErrors.refusal(required, ProtocolVersion.V1_4, true).reason());
        assertEquals(ResultReason.PERMISSION_DENIED,
                KmipErrors.refusal(required, ProtocolVersion.V1_4, false).reason());
        assertEquals(ResultReason.PERMISSION_DENIED,
                KmipErrors.refusal(required, ProtocolVersion.V1_1, true).reason());
    }

    @Test
    void protocolFailuresKeepTheirReasonAndUnexpectedErrorsSayNothing() {
        assertEquals(ResultReason.OPERATION_NOT_SUPPORTED, KmipErrors.refusal(
                new KmipFailure(ResultReason.OPERATION_NOT_SUPPORTED, "no"), ProtocolVersion.V2_1, false).reason());
        KmipErrors.Refusal bug = KmipErrors.refusal(new IllegalStateException("secret detail"), ProtocolVersion.V2_1, false);
        assertEquals(ResultReason.GENERAL_FAILURE, bug.reason());
        assertEquals("internal error", bug.message());
    }
}
