package dev.tresor.kms.rest;

import dev.tresor.kms.tenant.Right;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Every route under {@code /v1/projects/{p}/regions/{r}} with a well-formed request and the right
 * it needs (the columns of the role table). Reads come first and destructive calls last, so one
 * set of resources serves a whole walk.
 */
final class TenantRoutes {
    /** The resources of one project that the routes name. */
    record Resources(String ring, String aesKey, String hmacKey, String wrappingKey) {
        static Resources create(ProjectApi admin) {
            String ring = admin.createRing("routes");
            String aes = admin.createAesKey(ring);
            String hmac = admin.createKey(ring, "hmac_sha256", "message_authentication_code").getString("id");
            String wrapping = ProjectApi.expect(202, admin.post(admin.ring(ring) + "/wrappingkeys", new JsonObject()
                    .put("displayName", "wrap").put("algorithm", "rsa_2048_oaep_sha256")
                    .put("purpose", "wrap_symmetric_key").put("protection", "software"))).getString("id");
            return new Resources(ring, aes, hmac, wrapping);
        }
    }

    /** One call: method, path under the project prefix, body (or null), and the right it needs. */
    record Route(String operation, String method, String path, JsonObject body, Right right) {
        Http.Reply call(ProjectApi api) {
            return api.http().send(method, api.prefix() + path, api.token(), body == null ? null : body.encode());
        }
    }

    private TenantRoutes() {
    }

    static List<Route> all(Resources r, String ciphertext, String signature) {
        String ring = "/keyrings/" + r.ring();
        String aes = ring + "/keys/" + r.aesKey();
        String hmac = ring + "/keys/" + r.hmacKey();
        String wrapping = ring + "/wrappingkeys/" + r.wrappingKey();
        JsonObject message = new JsonObject().put("data", "aGVsbG8=");
        return List.of(
                new Route("ListKeyRings", "GET", "/keyrings", null, Right.READ_METADATA),
                new Route("GetKeyRing", "GET", ring, null, Right.READ_METADATA),
                new Route("ListKeys", "GET", ring + "/keys", null, Right.READ_METADATA),
                new Route("GetKey", "GET", aes, null, Right.READ_METADATA),
                new Route("ListVersions", "GET", aes + "/versions", null, Right.READ_METADATA),
                new Route("GetVersion", "GET", aes + "/versions/1", null, Right.READ_METADATA),
                new Route("ListWrappingKeys", "GET", ring + "/wrappingkeys", null, Right.READ_METADATA),
                new Route("GetWrappingKey", "GET", wrapping, null, Right.READ_METADATA),
                new Route("Encrypt", "POST", aes + "/versions/1/encrypt", message, Right.CRYPTO),
                new Route("Decrypt", "POST", aes + "/versions/1/decrypt", new JsonObject().put("data", ciphertext), Right.CRYPTO),
                new Route("Sign", "POST", hmac + "/versions/1/sign", message, Right.CRYPTO),
                new Route("Verify", "POST", hmac + "/versions/1/verify", message.copy().put("signature", signature), Right.CRYPTO),
                new Route("ExportMetadata", "GET", "/export/metadata", null, Right.EXPORT),
                new Route("ExportAudit", "GET", "/export/audit", null, Right.EXPORT),
                new Route("CreateKeyRing", "POST", "/keyrings", new JsonObject().put("displayName", "more"), Right.LIFECYCLE),
                new Route("CreateKey", "POST", ring + "/keys", new JsonObject().put("displayName", "more")
                        .put("algorithm", "aes_256_gcm").put("purpose", "symmetric_encrypt_decrypt")
                        .put("protection", "software"), Right.LIFECYCLE),
                new Route("CreateWrappingKey", "POST", ring + "/wrappingkeys", new JsonObject().put("displayName", "more")
                        .put("algorithm", "rsa_2048_oaep_sha256").put("purpose", "wrap_symmetric_key")
                        .put("protection", "software"), Right.LIFECYCLE),
                new Route("RotateKey", "POST", aes + "/rotate", null, Right.LIFECYCLE),
                new Route("ImportKey", "POST", aes + "/import", new JsonObject().put("wrappingKeyId", r.wrappingKey())
                        .put("wrappedKey", "AAAA"), Right.LIFECYCLE),
                new Route("DisableVersion", "POST", aes + "/versions/1/disable", null, Right.LIFECYCLE),
                new Route("EnableVersion", "POST", aes + "/versions/1/enable", null, Right.LIFECYCLE),
                new Route("DestroyVersion", "POST", aes + "/versions/1/destroy", null, Right.LIFECYCLE),
                new Route("RestoreVersion", "POST", aes + "/versions/1/restore", null, Right.LIFECYCLE),
                new Route("DeleteKey", "DELETE", aes, null, Right.LIFECYCLE),
                new Route("RestoreKey", "POST", aes + "/restore", null, Right.LIFECYCLE),
                new Route("DeleteWrappingKey", "DELETE", wrapping, null, Right.LIFECYCLE),
                new Route("DeleteKeyRing", "DELETE", ring, null, Right.LIFECYCLE));
    }
}
