package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.service.ErrorCode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one error map covers every code with the status docs/rest-api.md documents. */
class ErrorResponsesTest {
    @Test
    void everyErrorCodeHasItsDocumentedStatus() {
        Map<ErrorCode, Integer> documented = new EnumMap<>(Map.of(
                ErrorCode.INVALID_ARGUMENT, 400,
                ErrorCode.UNAUTHENTICATED, 401,
                ErrorCode.PERMISSION_DENIED, 403,
                ErrorCode.ATTESTATION_REQUIRED, 403,
                ErrorCode.ATTESTATION_FAILED, 403,
                ErrorCode.NOT_FOUND, 404,
                ErrorCode.FAILED_PRECONDITION, 409,
                ErrorCode.RATE_LIMITED, 429,
                ErrorCode.INTERNAL, 500,
                ErrorCode.SEALED, 503));
        Map<ErrorCode, Integer> mapped = new EnumMap<>(ErrorCode.class);
        for (ErrorCode code : ErrorCode.values()) {
            mapped.put(code, ErrorResponses.status(code));
        }
        assertEquals(documented, mapped);
    }

    @Test
    void retryAfterRoundsUpToWholeSecondsAndNeverBelowOne() {
        assertEquals(1, ErrorResponses.wholeSeconds(Duration.ZERO));
        assertEquals(1, ErrorResponses.wholeSeconds(Duration.ofMillis(1)));
        assertEquals(2, ErrorResponses.wholeSeconds(Duration.ofMillis(1001)));
        assertEquals(3600, ErrorResponses.wholeSeconds(Duration.ofHours(1)));
    }
}
