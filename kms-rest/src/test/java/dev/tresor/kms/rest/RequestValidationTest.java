package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input is refused with 400 and a message naming the field or limit, before any work: after
 * every refused request the project's key rings, keys and versions are exactly as before.
 */
class RequestValidationTest {
    private static final String UNKNOWN = "00000000-0000-4000-8000-000000000000";

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();
    private static ProjectApi api;
    private static String ring;
    private static String aes;
    private String before;

    @BeforeAll
    static void start() {
        api = server.newProjectApi();
        ring = api.createRing("validation");
        aes = api.createAesKey(ring);
    }

    @BeforeEach
    void snapshot() {
        before = state();
    }

    @AfterEach
    void nothingStoredChanged() {
        assertEquals(before, state());
    }

    private static String state() {
        return api.get(api.prefix() + "/keyrings").body() + api.get(api.ring(ring) + "/keys").body()
                + api.get(api.key(ring, aes) + "/versions").body() + api.get(api.ring(ring) + "/wrappingkeys").body();
    }

    private static void refused(String fragment, Http.Reply reply) {
        assertEquals(400, reply.status(), reply::toString);
        assertTrue(reply.message().contains(fragment), () -> "message should name " + fragment + ": " + reply);
    }

    private static JsonObject keyPayload() {
        return new JsonObject().put("displayName", "k").put("algorithm", "aes_256_gcm")
                .put("purpose", "symmetric_encrypt_decrypt").put("protection", "software");
    }

    @Test
    void malformedJsonAndNonObjectsAreRefused() {
        refused("not valid JSON", api.http().send("POST", api.prefix() + "/keyrings", api.token(), "{\"displayName\":"));
        refused("JSON object", api.http().send("POST", api.prefix() + "/keyrings", api.token(), "[1,2]"));
        refused("body is required", api.http().send("POST", api.prefix() + "/keyrings", api.token(), ""));
    }

    @Test
    void displayNameMustMatchThePatternAndLength() {
        refused("displayName", api.post(api.prefix() + "/keyrings", new JsonObject()));
        refused("displayName", api.post(api.prefix() + "/keyrings", new JsonObject().put("displayName", "has space")));
        refused("displayName", api.post(api.prefix() + "/keyrings", new JsonObject().put("displayName", "")));
        refused("displayName", api.post(api.prefix() + "/keyrings", new JsonObject().put("displayName", "x".repeat(65))));
        refused("displayName", api.post(api.prefix() + "/keyrings", new JsonObject().put("displayName", 7)));
        refused("description", api.post(api.prefix() + "/keyrings",
                new JsonObject().put("displayName", "ok").put("description", "d".repeat(257))));
    }

    @Test
    void enumsAreExactAndCaseSensitive() {
        refused("algorithm", api.post(api.ring(ring) + "/keys", keyPayload().put("algorithm", "AES_256_GCM")));
        refused("algorithm", api.post(api.ring(ring) + "/keys", keyPayload().put("algorithm", "des")));
        refused("purpose", api.post(api.ring(ring) + "/keys", keyPayload().put("purpose", "anything")));
        refused("access_scope", api.post(api.ring(ring) + "/keys", keyPayload().put("access_scope", "public")));
        refused("algorithm", api.post(api.ring(ring) + "/keys", keyPayload().put("purpose", "asymmetric_sign_verify")));
        JsonObject withoutProtection = keyPayload();
        withoutProtection.remove("protection");
        refused("protection", api.post(api.ring(ring) + "/keys", withoutProtection));
        refused("protection", api.post(api.ring(ring) + "/keys", keyPayload().put("protection", "")));
        refused("protection", api.post(api.ring(ring) + "/keys", keyPayload().put("protection", "hsm")));
        refused("importOnly", api.post(api.ring(ring) + "/keys", keyPayload().put("importOnly", "yes")));
        refused("purpose", api.post(api.ring(ring) + "/wrappingkeys", new JsonObject().put("displayName", "w")
                .put("algorithm", "rsa_2048_oaep_sha256").put("purpose", "wrap").put("protection", "software")));
    }

    @Test
    void idsAndRegionsAreChecked() {
        refused("keyRingId", api.get(api.prefix() + "/keyrings/not-a-uuid"));
        refused("keyId", api.get(api.ring(ring) + "/keys/123"));
        refused("versionNumber", api.get(api.key(ring, aes) + "/versions/0"));
        refused("versionNumber", api.get(api.key(ring, aes) + "/versions/one"));
        refused("projectId", api.get("/v1/projects/nope/regions/eu01/keyrings"));
        refused("regionId", api.get("/v1/projects/" + api.projectId() + "/regions/eu02/keyrings"));
        refused("wrappingKeyId", api.post(api.key(ring, aes) + "/import",
                new JsonObject().put("wrappingKeyId", "x").put("wrappedKey", "AAAA")));
        assertEquals(404, api.get(api.ring(UNKNOWN)).status());
    }

    @Test
    void base64AndSizeLimitsAreCheckedBeforeDecoding() {
        String encrypt = api.version(ring, aes, 1) + "/encrypt";
        refused("data", api.post(encrypt, new JsonObject()));
        refused("base64", api.post(encrypt, new JsonObject().put("data", "not base64!")));
        refused("data", api.post(encrypt, new JsonObject().put("data", 12)));
        refused("65536", api.post(encrypt, new JsonObject().put("data",
                Base64.getEncoder().encodeToString(new byte[65_537]))));
        refused("65536", api.post(api.version(ring, aes, 1) + "/sign", new JsonObject().put("data",
                Base64.getEncoder().encodeToString(new byte[65_537]))));
        refused("signature", api.post(api.version(ring, aes, 1) + "/verify", new JsonObject().put("data", "AAAA")));
    }

    @Test
    void rsaOaepPlaintextsAreLimitedByTheKey() {
        String rsa = api.createKey(ring, "rsa_2048_oaep_sha256", "asymmetric_encrypt_decrypt").getString("id");
        before = state();
        refused("190", api.post(api.version(ring, rsa, 1) + "/encrypt",
                new JsonObject().put("data", Base64.getEncoder().encodeToString(new byte[191]))));
        api.encrypt(ring, rsa, 1, new byte[190]);
    }

    @Test
    void exactly64KiBOfPlaintextIsAcceptedAndDecryptsAgain() {
        byte[] plaintext = new byte[65_536];
        plaintext[65_535] = 42;
        String ciphertext = api.encrypt(ring, aes, 1, plaintext);
        assertTrue(Base64.getDecoder().decode(ciphertext).length > 65_536);
        assertEquals(Base64.getEncoder().encodeToString(plaintext),
                Base64.getEncoder().encodeToString(api.decrypt(ring, aes, 1, ciphertext)));
    }

    @Test
    void oversizeBodiesAre413() {
        Http.Reply reply = api.http().send("POST", api.prefix() + "/keyrings", api.token(),
                "{\"displayName\":\"" + "x".repeat(200 * 1024) + "\"}");
        assertEquals(413, reply.status(), reply::toString);
        assertTrue(reply.message().contains("131072"), reply::toString);
    }

    @Test
    void aCiphertextOfAnotherVersionIsRefused() {
        String otherRing = api.createRing("versions");
        String key = api.createAesKey(otherRing);
        String ciphertext = api.encrypt(otherRing, key, 1, new byte[] {1, 2, 3});
        expect(202, api.post(api.key(otherRing, key) + "/rotate", null));
        before = state();
        Http.Reply wrongVersion = api.post(api.version(otherRing, key, 2) + "/decrypt",
                new JsonObject().put("data", ciphertext));
        assertEquals(400, wrongVersion.status(), wrongVersion::toString);
    }
}
