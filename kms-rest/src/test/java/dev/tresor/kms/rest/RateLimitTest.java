package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Role;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hourly budget over REST, to the exact call, with the clock moved by hand: the headers count
 * down, the call after the last is 429 with Retry-After, and the window frees exactly an hour
 * after the oldest call. Probes and failed authentication are not counted.
 */
class RateLimitTest {
    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @Test
    void theCallAfterTheLimitIsRefusedUntilTheOldestLeavesTheHour() {
        String projectId = server.newProject(5);
        ProjectApi api = server.api(projectId, server.token(projectId, Role.CRYPTO_USER));
        String keyRings = api.prefix() + "/keyrings";

        for (int call = 1; call <= 5; call++) {
            Http.Reply reply = api.get(keyRings);
            assertEquals(200, reply.status(), reply::toString);
            assertHeaders(reply, 5, 5 - call, 3600);
        }
        assertEquals(200, server.http().get("/healthz", null).status());
        assertEquals(401, server.http().get(keyRings, "not-a-token").status());

        Http.Reply refused = api.get(keyRings);
        assertEquals(429, refused.status(), refused::toString);
        assertEquals("3600", refused.header("Retry-After").orElseThrow());
        assertTrue(refused.message().contains("retry after 3600 s"), refused::toString);
        assertHeaders(refused, 5, 0, 3600);

        server.clock().advance(Duration.ofSeconds(3599));
        Http.Reply stillRefused = api.get(keyRings);
        assertEquals(429, stillRefused.status(), stillRefused::toString);
        assertEquals("1", stillRefused.header("Retry-After").orElseThrow());

        server.clock().advance(Duration.ofSeconds(1));
        Http.Reply admitted = api.get(keyRings);
        assertEquals(200, admitted.status(), admitted::toString);
        assertHeaders(admitted, 5, 4, 3600);
    }

    @Test
    void refusedRequestsOfEveryKindCarryTheHeaders() {
        String projectId = server.newProject(3);
        ProjectApi auditor = server.api(projectId, server.token(projectId, Role.AUDITOR));
        Http.Reply denied = auditor.post(auditor.prefix() + "/keyrings", new io.vertx.core.json.JsonObject()
                .put("displayName", "nope"));
        assertEquals(403, denied.status(), denied::toString);
        assertHeaders(denied, 3, 2, 3600);
        Http.Reply missing = auditor.get(auditor.ring("00000000-0000-4000-8000-000000000000"));
        assertEquals(404, missing.status(), missing::toString);
        assertHeaders(missing, 3, 1, 3600);
    }

    private static void assertHeaders(Http.Reply reply, long limit, long remaining, long reset) {
        assertEquals(Long.toString(limit), reply.header("RateLimit-Limit").orElseThrow(), reply::toString);
        assertEquals(Long.toString(remaining), reply.header("RateLimit-Remaining").orElseThrow(), reply::toString);
        assertEquals(Long.toString(reset), reply.header("RateLimit-Reset").orElseThrow(), reply::toString);
    }
}
