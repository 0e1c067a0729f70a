package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The metadata and audit exports, Tresor extensions under the STACKIT prefix. */
class ExportRoutesTest {
    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @Test
    void metadataExportDescribesEveryRingKeyVersionAndWrappingKeyWithoutMaterial() {
        ProjectApi admin = server.newProjectApi();
        String ring = admin.createRing("exported");
        String key = admin.createAesKey(ring);
        expect(202, admin.post(admin.key(ring, key) + "/rotate", null));
        expect(202, admin.post(admin.ring(ring) + "/wrappingkeys", new JsonObject().put("displayName", "w")
                .put("algorithm", "rsa_2048_oaep_sha256").put("purpose", "wrap_symmetric_key").put("protection", "software")));
        ProjectApi auditor = server.api(admin.projectId(), server.token(admin.projectId(), Role.AUDITOR));

        JsonObject export = expect(200, auditor.get(auditor.prefix() + "/export/metadata"));
        assertEquals(Set.of("projectId", "regionId", "exportedAt", "counts", "keyRings"), export.fieldNames());
        assertEquals(admin.projectId(), export.getString("projectId"));
        assertEquals("eu01", export.getString("regionId"));
        assertEquals(new JsonObject().put("keyRings", 1).put("keys", 1).put("versions", 2).put("wrappingKeys", 1),
                export.getJsonObject("counts"));
        JsonObject exportedRing = export.getJsonArray("keyRings").getJsonObject(0);
        assertEquals(ring, exportedRing.getString("id"));
        JsonObject exportedKey = exportedRing.getJsonArray("keys").getJsonObject(0);
        assertEquals(expect(200, admin.get(admin.key(ring, key))), copyWithout(exportedKey, "versions"));
        assertEquals(expect(200, admin.get(admin.key(ring, key) + "/versions")).getJsonArray("versions"),
                exportedKey.getJsonArray("versions"));
        assertEquals(1, exportedRing.getJsonArray("wrappingKeys").size());
    }

    @Test
    void auditExportHoldsTheHashChainedRecordsOfTheRange() {
        ProjectApi admin = server.newProjectApi();
        Instant first = server.clock().instant();
        admin.createRing("audited");
        server.clock().advance(Duration.ofMinutes(10));
        Instant later = server.clock().instant();
        admin.createRing("audited-later");

        String audit = admin.prefix() + "/export/audit";
        JsonArray all = expect(200, admin.get(audit)).getJsonArray("records");
        assertTrue(all.size() >= 2, all::encode);
        JsonObject record = all.getJsonObject(0);
        assertEquals(Set.of("sequence", "time", "principal", "tenant", "operation", "resource", "result", "details",
                "previousHash", "hash"), record.fieldNames());
        for (int i = 1; i < all.size(); i++) {
            assertEquals(all.getJsonObject(i - 1).getString("hash"), all.getJsonObject(i).getString("previousHash"));
        }

        JsonArray early = expect(200, admin.get(audit + "?from=" + first + "&to=" + later)).getJsonArray("records");
        assertFalse(early.isEmpty());
        early.forEach(r -> assertTrue(Instant.parse(((JsonObject) r).getString("time")).isBefore(later)));
        JsonArray recent = expect(200, admin.get(audit + "?from=" + later)).getJsonArray("records");
        assertFalse(recent.isEmpty());
        recent.forEach(r -> assertFalse(Instant.parse(((JsonObject) r).getString("time")).isBefore(later)));

        Http.Reply bad = admin.get(audit + "?from=yesterday");
        assertEquals(400, bad.status());
        assertTrue(bad.message().contains("from"), bad::toString);
    }

    private static JsonObject copyWithout(JsonObject json, String member) {
        JsonObject copy = json.copy();
        copy.remove(member);
        return copy;
    }
}
