package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.Base64;

/** One token's view of one project's KMS instance (region eu01), with helpers that expect success. */
record ProjectApi(Http http, String projectId, String token) {
    String prefix() {
        return "/v1/projects/" + projectId + "/regions/eu01";
    }

    String ring(String ringId) {
        return prefix() + "/keyrings/" + ringId;
    }

    String key(String ringId, String keyId) {
        return ring(ringId) + "/keys/" + keyId;
    }

    String version(String ringId, String keyId, long number) {
        return key(ringId, keyId) + "/versions/" + number;
    }

    Http.Reply get(String path) {
        return http.get(path, token);
    }

    Http.Reply post(String path, Object body) {
        return http.post(path, token, body);
    }

    Http.Reply delete(String path) {
        return http.delete(path, token);
    }

    String createRing(String displayName) {
        return expect(202, post(prefix() + "/keyrings", new JsonObject().put("displayName", displayName))).getString("id");
    }

    JsonObject createKey(String ringId, String algorithm, String purpose) {
        return expect(202, post(ring(ringId) + "/keys", new JsonObject()
                .put("displayName", "key-" + algorithm)
                .put("algorithm", algorithm)
                .put("purpose", purpose)
                .put("protection", "software")));
    }

    String createAesKey(String ringId) {
        return createKey(ringId, "aes_256_gcm", "symmetric_encrypt_decrypt").getString("id");
    }

    String encrypt(String ringId, String keyId, long version, byte[] plaintext) {
        return expect(200, post(version(ringId, keyId, version) + "/encrypt",
                new JsonObject().put("data", Base64.getEncoder().encodeToString(plaintext)))).getString("data");
    }

    byte[] decrypt(String ringId, String keyId, long version, String ciphertext) {
        return Base64.getDecoder().decode(expect(200, post(version(ringId, keyId, version) + "/decrypt",
                new JsonObject().put("data", ciphertext))).getString("data"));
    }

    static JsonObject expect(int status, Http.Reply reply) {
        assertEquals(status, reply.status(), reply::toString);
        return reply.body().isEmpty() ? new JsonObject() : reply.json();
    }
}
