package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The unauthenticated, uncounted endpoints: liveness, readiness (which follows the seal),
 * and Prometheus metrics per route, for rate-limit refusals and for the seal state. The last
 * test seals the server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbesAndMetricsTest {
    private static final String KEY_RINGS_ROUTE = "route=\"/v1/projects/:projectId/regions/:regionId/keyrings\"";

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @Test
    @Order(1)
    void liveAndReadyWhileUnsealed() {
        assertEquals(new JsonObject().put("status", "live"), expect(200, server.http().get("/healthz", null)));
        assertEquals(new JsonObject().put("status", "ready"), expect(200, server.http().get("/readyz", null)));
    }

    @Test
    @Order(2)
    void metricsCountRequestsPerRouteAndRateLimitRefusals() {
        String projectId = server.newProject(2);
        ProjectApi api = server.api(projectId, server.token(projectId, Role.AUDITOR));
        for (int call = 0; call < 3; call++) {
            api.get(api.prefix() + "/keyrings");
        }
        Http.Reply reply = server.http().get(RestMetrics.PATH, null);
        assertEquals(200, reply.status(), reply::toString);
        String metrics = reply.body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vertx_http_server_requests_total{")
                && l.contains(KEY_RINGS_ROUTE) && l.contains("code=\"200\"") && l.endsWith(" 2.0")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vertx_http_server_requests_total{")
                && l.contains(KEY_RINGS_ROUTE) && l.contains("code=\"429\"") && l.endsWith(" 1.0")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vertx_http_server_response_time_seconds_bucket{")
                && l.contains(KEY_RINGS_ROUTE)), metrics);
        assertTrue(metrics.contains("\ntresor_rate_limit_refusals_total 1.0\n"), metrics);
        assertTrue(metrics.contains("\ntresor_sealed 0.0\n"), metrics);
    }

    @Test
    @Order(3)
    void metricsCountLiveKeyVersionsPerProject() {
        String projectId = server.newProject();
        ProjectApi api = server.api(projectId, server.token(projectId, Role.ADMIN));
        String ring = api.createRing("billing");
        String key = api.createAesKey(ring);
        expect(202, api.post(api.ring(ring) + "/keys/" + key + "/rotate", null));
        api.createAesKey(ring);
        String gauge = "tresor_key_versions{project=\"" + projectId + "\",region=\"eu01\"} 3.0";
        String metrics = server.http().get(RestMetrics.PATH, null).body();
        assertTrue(metrics.lines().anyMatch(gauge::equals), metrics);
    }

    @Test
    @Order(4)
    void sealingTurnsDataPathsAndReadinessTo503() {
        ProjectApi api = server.newProjectApi();
        expect(204, server.http().post("/admin/v1/seal", server.operatorToken(), null));
        assertEquals(503, api.get(api.prefix() + "/keyrings").status());
        assertEquals(503, server.http().get("/readyz", null).status());
        assertEquals(200, server.http().get("/healthz", null).status());
        assertEquals(true, expect(200, server.http().get("/admin/v1/seal", null)).getBoolean("sealed"));
        assertTrue(server.http().get(RestMetrics.PATH, null).body().contains("\ntresor_sealed 1.0\n"));
    }
}
