package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Golden wire format, read with the plain JDK client: status codes, exact member sets (required
 * ones present, optional ones omitted when unset, nothing extra), {@code access_scope}'s
 * spelling, empty bodies, and the {@code {"message"}} error body.
 */
class StackitWireFormatTest {
    private static final Set<String> KEY_RING = Set.of("id", "displayName", "state", "createdAt");
    private static final Set<String> KEY = Set.of("id", "displayName", "state", "createdAt", "importOnly", "keyRingId",
            "protection", "purpose", "algorithm", "access_scope");
    private static final Set<String> VERSION = Set.of("number", "keyId", "keyRingId", "state", "createdAt", "disabled");
    private static final Set<String> WRAPPING_KEY = Set.of("id", "displayName", "state", "createdAt", "expiresAt",
            "keyRingId", "protection", "purpose", "algorithm", "access_scope", "publicKey");

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();
    private static ProjectApi api;

    @BeforeAll
    static void start() {
        api = server.newProjectApi();
    }

    private static String inThirtyDays() {
        return server.clock().instant().plus(Duration.ofDays(30)).toString();
    }

    @Test
    void createKeyRingAnswers202WithExactlyTheKeyRingMembers() {
        Http.Reply reply = api.post(api.prefix() + "/keyrings", new JsonObject().put("displayName", "ring-a"));
        JsonObject ring = expect(202, reply);
        assertEquals("application/json", reply.header("Content-Type").orElseThrow());
        assertEquals(KEY_RING, ring.fieldNames());
        assertEquals("ring-a", ring.getString("displayName"));
        assertEquals("active", ring.getString("state"));
        assertEquals(server.clock().instant().toString(), ring.getString("createdAt"));

        JsonObject described = expect(202, api.post(api.prefix() + "/keyrings",
                new JsonObject().put("displayName", "ring-b").put("description", "with words")));
        assertEquals("with words", described.getString("description"));
        assertEquals(expect(200, api.get(api.ring(described.getString("id")))), described);
    }

    @Test
    void listsHaveOneArrayMemberEach() {
        String ring = api.createRing("lists");
        assertEquals(Set.of("keyRings"), expect(200, api.get(api.prefix() + "/keyrings")).fieldNames());
        assertEquals(new JsonObject().put("keys", new JsonArray()), expect(200, api.get(api.ring(ring) + "/keys")));
        assertEquals(new JsonObject().put("wrappingKeys", new JsonArray()),
                expect(200, api.get(api.ring(ring) + "/wrappingkeys")));
    }

    @Test
    void keyHasEveryRequiredMemberAndAccessScopeInSnakeCase() {
        String ring = api.createRing("keys");
        JsonObject key = api.createKey(ring, "aes_256_gcm", "symmetric_encrypt_decrypt");
        assertEquals(KEY, key.fieldNames());
        assertEquals("PUBLIC", key.getString("access_scope"));
        assertEquals(false, key.getBoolean("importOnly"));
        assertEquals("software", key.getString("protection"));
        assertEquals("active", key.getString("state"));
        assertEquals(ring, key.getString("keyRingId"));

        JsonObject sna = expect(202, api.post(api.ring(ring) + "/keys", new JsonObject()
                .put("displayName", "sna").put("description", "scoped").put("algorithm", "hmac_sha256")
                .put("purpose", "message_authentication_code").put("protection", "software")
                .put("access_scope", "SNA").put("importOnly", true)));
        assertEquals("SNA", sna.getString("access_scope"));
        assertEquals(true, sna.getBoolean("importOnly"));
        assertEquals("no_version", sna.getString("state"));
        assertEquals("scoped", sna.getString("description"));
    }

    @Test
    void versionsCarryThePublicKeyOnlyWhenAsymmetric() {
        String ring = api.createRing("versions");
        String aes = api.createAesKey(ring);
        JsonObject aesVersion = expect(200, api.get(api.version(ring, aes, 1)));
        assertEquals(VERSION, aesVersion.fieldNames());
        assertEquals(1L, aesVersion.getLong("number"));
        assertEquals(false, aesVersion.getBoolean("disabled"));
        assertEquals("active", aesVersion.getString("state"));

        String ec = api.createKey(ring, "ecdsa_p256_sha256", "asymmetric_sign_verify").getString("id");
        JsonObject ecVersion = expect(200, api.get(api.version(ring, ec, 1)));
        assertTrue(ecVersion.getString("publicKey").startsWith("-----BEGIN PUBLIC KEY-----"), ecVersion::encode);
        assertEquals(new JsonObject().put("versions", new JsonArray().add(ecVersion)),
                expect(200, api.get(api.key(ring, ec) + "/versions")));
    }

    @Test
    void deleteKeyIs202WithoutBodyAndRestoreIs204() {
        String ring = api.createRing("deletion");
        String key = api.createAesKey(ring);

        Http.Reply deleted = api.delete(api.key(ring, key));
        assertEquals(202, deleted.status(), deleted::toString);
        assertEquals("", deleted.body());
        JsonObject scheduled = expect(200, api.get(api.key(ring, key)));
        assertEquals("deleted", scheduled.getString("state"));
        assertEquals(inThirtyDays(), scheduled.getString("deletionDate"));
        assertEquals(400, api.delete(api.key(ring, key)).status(), "a second delete, as the real service answers");

        Http.Reply restored = api.post(api.key(ring, key) + "/restore", null);
        assertEquals(204, restored.status(), restored::toString);
        assertEquals("", restored.body());
        JsonObject active = expect(200, api.get(api.key(ring, key)));
        assertEquals("active", active.getString("state"));
        assertFalse(active.containsKey("deletionDate"));
    }

    @Test
    void versionTransitionsAre204AndShowInTheVersion() {
        String ring = api.createRing("transitions");
        String key = api.createAesKey(ring);
        String version = api.version(ring, key, 1);

        assertEquals(204, api.post(version + "/disable", null).status());
        JsonObject disabled = expect(200, api.get(version));
        assertEquals("disabled", disabled.getString("state"));
        assertEquals(true, disabled.getBoolean("disabled"));
        assertEquals(409, api.post(version + "/encrypt", new JsonObject().put("data", "AAAA")).status());

        assertEquals(204, api.post(version + "/enable", null).status());
        assertEquals("active", expect(200, api.get(version)).getString("state"));

        assertEquals(204, api.post(version + "/destroy", null).status());
        JsonObject destroyed = expect(200, api.get(version));
        assertEquals("destroyed", destroyed.getString("state"));
        assertEquals(inThirtyDays(), destroyed.getString("destroyDate"));

        assertEquals(204, api.post(version + "/restore", null).status());
        assertFalse(expect(200, api.get(version)).containsKey("destroyDate"));
    }

    @Test
    void rotateAnswers202WithTheNewVersion() {
        String ring = api.createRing("rotation");
        String key = api.createAesKey(ring);
        JsonObject second = expect(202, api.post(api.key(ring, key) + "/rotate", null));
        assertEquals(VERSION, second.fieldNames());
        assertEquals(2L, second.getLong("number"));
        assertEquals(key, second.getString("keyId"));
    }

    @Test
    void cryptoAnswersHoldExactlyTheSpecMembers() {
        String ring = api.createRing("crypto");
        String aes = api.createAesKey(ring);
        byte[] plaintext = "attack at dawn".getBytes(StandardCharsets.UTF_8);
        JsonObject encrypted = expect(200, api.post(api.version(ring, aes, 1) + "/encrypt",
                new JsonObject().put("data", Base64.getEncoder().encodeToString(plaintext))));
        assertEquals(Set.of("data"), encrypted.fieldNames());
        JsonObject decrypted = expect(200, api.post(api.version(ring, aes, 1) + "/decrypt", encrypted));
        assertEquals(new JsonObject().put("data", Base64.getEncoder().encodeToString(plaintext)), decrypted);

        String hmac = api.createKey(ring, "hmac_sha256", "message_authentication_code").getString("id");
        String message = Base64.getEncoder().encodeToString("sign me".getBytes(StandardCharsets.UTF_8));
        JsonObject signed = expect(200, api.post(api.version(ring, hmac, 1) + "/sign", new JsonObject().put("data", message)));
        assertEquals(Set.of("data", "signature"), signed.fieldNames());
        assertEquals(message, signed.getString("data"));
        assertEquals(new JsonObject().put("valid", true),
                expect(200, api.post(api.version(ring, hmac, 1) + "/verify", signed)));
        JsonObject tampered = signed.copy().put("data", Base64.getEncoder().encodeToString(new byte[] {1}));
        assertEquals(new JsonObject().put("valid", false),
                expect(200, api.post(api.version(ring, hmac, 1) + "/verify", tampered)));
    }

    @Test
    void wrappingKeyExpiresWithTheClock() {
        String ring = api.createRing("wrapping");
        Http.Reply created = api.post(api.ring(ring) + "/wrappingkeys", new JsonObject()
                .put("displayName", "wrap").put("algorithm", "rsa_2048_oaep_sha256_aes_256_key_wrap")
                .put("purpose", "wrap_asymmetric_key").put("protection", "software"));
        JsonObject wrapping = expect(202, created);
        assertEquals(WRAPPING_KEY, wrapping.fieldNames());
        assertEquals("active", wrapping.getString("state"));
        assertTrue(wrapping.getString("publicKey").startsWith("-----BEGIN PUBLIC KEY-----"));
        String path = api.ring(ring) + "/wrappingkeys/" + wrapping.getString("id");
        JsonObject read = expect(200, api.get(path));
        assertEquals(wrapping.getString("expiresAt"), read.getString("expiresAt"));

        server.clock().advance(Duration.ofDays(2));
        assertEquals("expired", expect(200, api.get(path)).getString("state"));
        Http.Reply deleted = api.delete(path);
        assertEquals(204, deleted.status(), deleted::toString);
        assertEquals("", deleted.body());
    }

    @Test
    void deleteKeyRingIs204WhenEmptyAnd400WhileItHoldsKeys() {
        String ring = api.createRing("full");
        api.createAesKey(ring);
        Http.Reply refused = api.delete(api.ring(ring));
        assertEquals(400, refused.status(), refused::toString);
        assertEquals(Set.of("message"), refused.json().fieldNames());

        String empty = api.createRing("empty");
        Http.Reply deleted = api.delete(api.ring(empty));
        assertEquals(204, deleted.status(), deleted::toString);
        assertEquals(404, api.get(api.ring(empty)).status());
    }

    @Test
    void errorsAreAMessageObject() {
        Http.Reply missing = api.get(api.ring("00000000-0000-4000-8000-000000000000"));
        assertEquals(404, missing.status());
        assertEquals("application/json", missing.header("Content-Type").orElseThrow());
        assertEquals(Set.of("message"), missing.json().fieldNames());

        Http.Reply noRoute = api.get(api.prefix() + "/nothing-here");
        assertEquals(404, noRoute.status());
        assertEquals(Set.of("message"), noRoute.json().fieldNames());

        Http.Reply wrongMethod = api.http().send("PUT", api.prefix() + "/keyrings", api.token(), "{}");
        assertEquals(405, wrongMethod.status());
        assertEquals(Set.of("message"), wrongMethod.json().fieldNames());
    }
}
