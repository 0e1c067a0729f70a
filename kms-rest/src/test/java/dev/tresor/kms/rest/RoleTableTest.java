package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Right;
import dev.tresor.kms.tenant.Role;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each role on every route, as ARCHITECTURE.md's table says: a route needing a right the role
 * lacks answers 403; every other route is let through (whatever the resource's state makes of it).
 */
class RoleTableTest {
    /** ARCHITECTURE.md's role table, written out here rather than read from the code under test. */
    private static final Map<Role, Set<Right>> TABLE = Map.of(
            Role.ADMIN, EnumSet.of(Right.LIFECYCLE, Right.CRYPTO, Right.READ_METADATA, Right.EXPORT),
            Role.KEY_ADMIN, EnumSet.of(Right.LIFECYCLE, Right.READ_METADATA),
            Role.CRYPTO_USER, EnumSet.of(Right.CRYPTO, Right.READ_METADATA),
            Role.AUDITOR, EnumSet.of(Right.READ_METADATA, Right.EXPORT));

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @Test
    void everyRoleGetsExactlyTheRightsOfItsRow() {
        ProjectApi admin = server.newProjectApi();
        List<String> wrong = new ArrayList<>();
        for (Role role : Role.values()) {
            TenantRoutes.Resources resources = TenantRoutes.Resources.create(admin);
            String ciphertext = admin.encrypt(resources.ring(), resources.aesKey(), 1, new byte[] {7});
            String signature = ProjectApi.expect(200, admin.post(
                    admin.version(resources.ring(), resources.hmacKey(), 1) + "/sign",
                    new JsonObject().put("data", Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)))))
                    .getString("signature");
            ProjectApi caller = server.api(admin.projectId(), server.token(admin.projectId(), role));
            for (TenantRoutes.Route route : TenantRoutes.all(resources, ciphertext, signature)) {
                Http.Reply reply = route.call(caller);
                boolean allowed = TABLE.get(role).contains(route.right());
                boolean answeredAsAllowed = reply.status() != 403 && reply.status() != 401 && reply.status() != 404;
                if (allowed != answeredAsAllowed || (!allowed && reply.status() != 403)) {
                    wrong.add(role.wireName() + " on " + route.operation() + " (" + route.right() + ", "
                            + (allowed ? "allowed" : "denied") + ") got " + reply);
                }
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
    }
}
