package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two projects, each token tried on every route of the other project with that project's real
 * resource ids: always 404 (never a 403 that would confirm the resources exist), and nothing of
 * the other project changes.
 */
class TenantIsolationTest {
    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @Test
    void everyTokenOfOneProjectGets404OnEveryRouteOfTheOther() {
        ProjectApi a = server.newProjectApi();
        ProjectApi b = server.newProjectApi();
        TenantRoutes.Resources resourcesA = TenantRoutes.Resources.create(a);
        TenantRoutes.Resources resourcesB = TenantRoutes.Resources.create(b);
        List<String> leaks = new ArrayList<>();
        for (Role role : Role.values()) {
            probe(server.api(a.projectId(), server.token(b.projectId(), role)), resourcesA, "B's " + role, leaks);
            probe(server.api(b.projectId(), server.token(a.projectId(), role)), resourcesB, "A's " + role, leaks);
        }
        assertTrue(leaks.isEmpty(), () -> String.join("\n", leaks));
        assertEquals(ProjectApi.expect(200, a.get(a.ring(resourcesA.ring()) + "/keys")).getJsonArray("keys").size(), 2);
        assertEquals("active", ProjectApi.expect(200, b.get(b.key(resourcesB.ring(), resourcesB.aesKey()))).getString("state"));
    }

    private static void probe(ProjectApi intruder, TenantRoutes.Resources victim, String who, List<String> leaks) {
        for (TenantRoutes.Route route : TenantRoutes.all(victim, "AAAA", "AAAA")) {
            Http.Reply reply = route.call(intruder);
            if (reply.status() != 404) {
                leaks.add(who + " token on " + route.operation() + " got " + reply);
            }
        }
    }
}
