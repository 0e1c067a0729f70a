package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.LoggedRecords;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review s9 m5: an operator's seal whose audit record cannot be written (the store failed) seals
 * all the same; the operator gets a bare 500 and confirms the seal with {@code GET /admin/v1/seal},
 * and the log holds the INTERNAL error itself, so what was added to it is printed with it.
 */
class FailedSealRecordTest {
    @RegisterExtension
    static final RestTestServer server = new RestTestServer().withBreakableStore();

    @Test
    void aSealWhoseRecordFailsAnswers500SealsAllTheSameAndLogsTheInternalErrorItself() {
        server.failStoreCommits();

        Http.Reply seal;
        List<LogRecord> logged;
        try (LoggedRecords logs = LoggedRecords.of(ErrorResponses.class)) {
            seal = server.http().post("/admin/v1/seal", server.operatorToken(), null);
            logged = logs.records();
        }

        assertEquals(500, seal.status(), seal::toString);
        assertEquals(new JsonObject().put("message", ErrorResponses.INTERNAL_MESSAGE), seal.json());
        assertEquals(true, expect(200, server.http().get("/admin/v1/seal", null)).getBoolean("sealed"));
        assertEquals(1, logged.size(), () -> logged.stream().map(LogRecord::getMessage).toList().toString());
        KmsError error = assertInstanceOf(KmsError.class, logged.get(0).getThrown());
        assertEquals(ErrorCode.INTERNAL, error.code());
        assertEquals("the seal.seal audit record could not be written; Tresor is sealed all the same",
                error.getMessage());
        assertInstanceOf(KmsError.class, error.getCause(), "the store's failure is its cause");
        assertTrue(logged.get(0).getMessage().startsWith("internal error on /admin/v1/seal"),
                logged.get(0).getMessage());
    }
}
