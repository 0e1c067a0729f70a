package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.Base64;

/** One token's view of one project's KMS instance (region eu01), with helpers that expect success. */
public record ProjectApi(Http http, String projectId, String token) {
    public String prefix() {
        return "/v1/projects/" + projectId + "/regions/eu01";
    }

    public String ring(String ringId) {
        return prefix() + "/keyrings/" + ringId;
    }

    public String key(String ringId, String keyId) {
        return ring(ringId) + "/keys/" + keyId;
    }

    public String version(String ringId, String keyId, long number) {
        return key(ringId, keyId) + "/versions/" + number;
    }

    public Http.Reply get(String path) {
        return http.get(path, token);
    }

    public Http.Reply post(String path, Object body) {
        return http.post(path, token, body);
    }

    public Http.Reply delete(String path) {
        return http.delete(path, token);
    }

    public String createRing(String displayName) {
        return expect(202, post(prefix() + "/keyrings", new JsonObject().put("displayName", displayName))).getString("id");
    }

    public JsonObject createKey(String ringId, String algorithm, String purpose) {
        return expect(202, post(ring(ringId) + "/keys", new JsonObject()
                .put("displayName", "key-" + algorithm)
                .put("algorithm", algorithm)
                .put("purpose", purpose)
                .put("protection", "software")));
    }

    public String createAesKey(String ringId) {
        return createKey(ringId, "aes_256_gcm", "symmetric_encrypt_decrypt").getString("id");
    }

    public String encrypt(String ringId, String keyId, long version, byte[] plaintext) {
        return expect(200, post(version(ringId, keyId, version) + "/encrypt",
                new JsonObject().put("data", Base64.getEncoder().encodeToString(plaintext)))).getString("data");
    }

    public byte[] decrypt(String ringId, String keyId, long version, String ciphertext) {
        return Base64.getDecoder().decode(expect(200, post(version(ringId, keyId, version) + "/decrypt",
                new JsonObject().put("data", ciphertext))).getString("data"));
    }

    public static JsonObject expect(int status, Http.Reply reply) {
        assertEquals(status, reply.status(), reply::toString);
        return reply.body().isEmpty() ? new JsonObject() : reply.json();
    }
}
