package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin API exactly as notes/ADMIN-API.md writes it, which kms-server's CLI relies on. */
class AdminRoutesTest {
    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    private static Http http() {
        return server.http();
    }

    @Test
    void sealStatusNeedsNoToken() {
        JsonObject status = expect(200, http().get("/admin/v1/seal", null));
        assertEquals(Set.of("initialized", "sealed", "sealType", "threshold", "sharesProvided", "migrating"), status.fieldNames());
        assertEquals(true, status.getBoolean("initialized"));
        assertEquals(false, status.getBoolean("sealed"));
        assertEquals(false, status.getBoolean("migrating"));
    }

    @Test
    void initOnAnInitialisedServerIsAConflict() {
        Http.Reply reply = http().post("/admin/v1/init", null, new JsonObject().put("shares", 3).put("threshold", 2));
        assertEquals(409, reply.status(), reply::toString);
        assertEquals(400, http().post("/admin/v1/init", null, new JsonObject().put("shares", "three")).status());
    }

    @Test
    void theOperatorCreatesAndListsProjects() {
        String id = UUID.randomUUID().toString();
        JsonObject project = expect(201, http().post("/admin/v1/projects", server.operatorToken(), new JsonObject()
                .put("projectId", id).put("callsPerHour", 42).put("kmipExportableByDefault", true)
                .put("kmipAesMacWithCipher", true)));
        assertEquals(Set.of("projectId", "createdAt", "callsPerHour", "kmipExportableByDefault", "kmipAesMacWithCipher"),
                project.fieldNames());
        assertEquals(id, project.getString("projectId"));
        assertEquals(42L, project.getLong("callsPerHour"));
        assertEquals(true, project.getBoolean("kmipExportableByDefault"));
        assertEquals(true, project.getBoolean("kmipAesMacWithCipher"));
        JsonObject plain = expect(201, http().post("/admin/v1/projects", server.operatorToken(),
                new JsonObject().put("kmipExportableByDefault", true)));
        assertEquals(true, plain.getBoolean("kmipExportableByDefault"));
        assertEquals(false, plain.getBoolean("kmipAesMacWithCipher"), "the legacy opt-in is off unless asked for");
        JsonArray projects = expect(200, http().get("/admin/v1/projects", server.operatorToken())).getJsonArray("projects");
        assertTrue(projects.contains(project), projects::encode);
        assertTrue(projects.contains(plain), projects::encode);
        assertEquals(400, http().post("/admin/v1/projects", server.operatorToken(),
                new JsonObject().put("kmipAesMacWithCipher", "yes")).status());
        assertEquals(400, http().post("/admin/v1/projects", server.operatorToken(),
                new JsonObject().put("projectId", "not-a-uuid")).status());
    }

    @Test
    void projectAdminsManageTokensOfTheirOwnProjectOnly() {
        String projectId = server.newProject();
        String other = server.newProject();
        String admin = server.token(projectId, Role.ADMIN);
        assertEquals(403, http().get("/admin/v1/projects", admin).status());
        assertEquals(404, http().post("/admin/v1/projects/" + other + "/tokens", admin,
                new JsonObject().put("role", "auditor")).status());

        JsonObject created = expect(201, http().post("/admin/v1/projects/" + projectId + "/tokens", admin,
                new JsonObject().put("role", "crypto-user").put("description", "app").put("ttlSeconds", 60)));
        assertEquals(Set.of("id", "token", "projectId", "role", "description", "createdAt", "expiresAt"), created.fieldNames());
        assertEquals("crypto-user", created.getString("role"));
        String secret = created.getString("token");
        String keyRings = "/v1/projects/" + projectId + "/regions/eu01/keyrings";
        assertEquals(200, http().get(keyRings, secret).status());

        JsonArray tokens = expect(200, http().get("/admin/v1/projects/" + projectId + "/tokens", admin)).getJsonArray("tokens");
        JsonObject listed = tokens.stream().map(JsonObject.class::cast)
                .filter(t -> t.getString("id").equals(created.getString("id"))).findFirst().orElseThrow();
        assertFalse(listed.containsKey("token"));
        assertEquals(false, listed.getBoolean("revoked"));

        server.clock().advance(Duration.ofSeconds(61));
        assertEquals(401, http().get(keyRings, secret).status());
    }

    @Test
    void aRevokedTokenIsUnauthenticated() {
        String projectId = server.newProject();
        JsonObject created = expect(201, http().post("/admin/v1/projects/" + projectId + "/tokens",
                server.operatorToken(), new JsonObject().put("role", "auditor")));
        String keyRings = "/v1/projects/" + projectId + "/regions/eu01/keyrings";
        assertEquals(200, http().get(keyRings, created.getString("token")).status());
        Http.Reply revoked = http().delete("/admin/v1/projects/" + projectId + "/tokens/" + created.getString("id"),
                server.operatorToken());
        assertEquals(204, revoked.status(), revoked::toString);
        Http.Reply refused = http().get(keyRings, created.getString("token"));
        assertEquals(401, refused.status());
        assertEquals("Bearer", refused.header("WWW-Authenticate").orElseThrow());
        assertEquals(401, http().get(keyRings, null).status());
    }

    @Test
    void clientCertificatesAreRegisteredListedAndRevoked() {
        String projectId = server.newProject();
        String base = "/admin/v1/projects/" + projectId + "/client-certs";
        TestCertificates certificate = TestCertificates.create("kmip-client");
        JsonObject registered = expect(201, http().post(base, server.operatorToken(),
                new JsonObject().put("role", "admin").put("certificatePem", certificate.certificatePem())));
        assertEquals(Set.of("fingerprint", "subject", "projectId", "role", "registeredAt", "notAfter", "revoked"),
                registered.fieldNames());
        assertEquals(projectId, registered.getString("projectId"));
        assertEquals(false, registered.getBoolean("revoked"));
        assertEquals(new JsonArray().add(registered),
                expect(200, http().get(base, server.operatorToken())).getJsonArray("clientCerts"));

        expect(204, http().delete(base + "/" + registered.getString("fingerprint"), server.operatorToken()));
        JsonObject listed = expect(200, http().get(base, server.operatorToken())).getJsonArray("clientCerts").getJsonObject(0);
        assertEquals(true, listed.getBoolean("revoked"));
        assertEquals(400, http().post(base, server.operatorToken(),
                new JsonObject().put("role", "root").put("certificatePem", certificate.certificatePem())).status());
    }
}
