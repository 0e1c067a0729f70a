package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.rest.kbs.KbsRoutes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /openapi.json} and the router agree: every route the router serves (except the web UI's
 * pages, which are for people, not API clients, and the CoCo KBS protocol, whose messages are
 * Trustee's and documented in rest-api.md) is documented, and
 * every documented operation answers (a route miss is the router's own "no such resource" 404
 * or 405, which no documented operation may give).
 */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    private static JsonObject document() {
        Http.Reply reply = server.http().get(OpenApiDocument.PATH, null);
        assertEquals(200, reply.status(), reply::toString);
        assertEquals("application/json", reply.header("Content-Type").orElseThrow());
        return reply.json();
    }

    private static Set<String> documented(JsonObject document) {
        Set<String> operations = new TreeSet<>();
        JsonObject paths = document.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            for (String method : paths.getJsonObject(path).fieldNames()) {
                if (METHODS.contains(method)) {
                    operations.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path);
                }
            }
        }
        return operations;
    }

    @Test
    void everyRouteIsDocumentedAndNothingElse() {
        Set<String> routed = new TreeSet<>();
        for (Route route : server.server().router().getRoutes()) {
            if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()
                    && !route.getPath().startsWith(WebUiRoutes.PATH)
                    && !route.getPath().contains(KbsRoutes.ROOT + "/")) {
                String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
                route.methods().forEach(m -> routed.add(m.name() + " " + path));
            }
        }
        assertEquals(routed, documented(document()));
    }

    @Test
    void theStackitOperationsAreAllThere() {
        long stackit = documented(document()).stream()
                .filter(op -> op.contains("/keyrings"))
                .filter(op -> !op.matches(".*/(releasable-keys|release-policy|release|attested-decrypt)"))
                .count();
        assertEquals(25, stackit);
    }

    @Test
    void everyDocumentedOperationAnswers() {
        ProjectApi api = server.newProjectApi();
        List<String> misses = new ArrayList<>();
        for (String operation : documented(document())) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1)
                    .replace("{projectId}", api.projectId())
                    .replace("{regionId}", "eu01")
                    .replace("{versionNumber}", "1")
                    .replace("{tokenId}", "no-such-token")
                    .replace("{fingerprint}", "00")
                    .replaceAll("\\{[A-Za-z]+Id}", UUID.randomUUID().toString());
            // Admin routes are called without a token (nothing is changed); the STACKIT routes name absent resources.
            String token = path.startsWith(AdminRoutes.PREFIX) ? null : api.token();
            Http.Reply reply = server.http().send(method, path, token, method.equals("POST") ? "{}" : null);
            boolean routeMiss = reply.status() == 405
                    || (reply.status() == 404 && reply.body().contains("no such resource"));
            if (routeMiss) {
                misses.add(operation + " -> " + reply);
            }
        }
        assertTrue(misses.isEmpty(), () -> String.join("\n", misses));
    }
}
