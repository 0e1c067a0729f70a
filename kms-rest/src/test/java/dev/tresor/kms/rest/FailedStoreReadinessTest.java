package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A commit that fails inside RocksDB stops the store (fail-stop): {@code /readyz} must stop saying ready. */
class FailedStoreReadinessTest {
    @RegisterExtension
    static final RestTestServer server = new RestTestServer().withBreakableStore();

    @Test
    void aFailedCommitTurnsReadinessTo503NamingTheFailedStore() {
        assertEquals(new JsonObject().put("status", "ready"), expect(200, server.http().get("/readyz", null)));
        assertTrue(metrics().contains("\ntresor_store_failed 0.0\n"), this::metrics);

        server.failStoreCommits();
        Http.Reply write = server.http().post("/admin/v1/projects", server.operatorToken(), new JsonObject());
        assertEquals(500, write.status(), write::toString);

        Http.Reply ready = server.http().get("/readyz", null);
        assertEquals(503, ready.status(), ready::toString);
        assertEquals(new JsonObject().put("message", "store failed; restart the server"), ready.json());
        assertEquals(200, server.http().get("/healthz", null).status(), "the process still serves HTTP");
        assertTrue(metrics().contains("\ntresor_store_failed 1.0\n"), this::metrics);
    }

    private String metrics() {
        return server.http().get(RestMetrics.PATH, null).body();
    }
}
