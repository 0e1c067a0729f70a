package dev.tresor.kms.rest.kbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.rest.Http;
import dev.tresor.kms.rest.ProjectApi;
import dev.tresor.kms.rest.ReleasedKeys;
import dev.tresor.kms.rest.RestOptions;
import dev.tresor.kms.rest.RestTestServer;
import dev.tresor.kms.rest.TestCertificates;
import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.SnpGuest;
import dev.tresor.kms.testing.WorkloadKeys;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The KBS protocol end to end over HTTPS with the simulated SEV-SNP platform: a client written
 * from the protocol's messages authenticates, attests with evidence bound to its tee-pubkey and
 * fetches a key, opens the JWE with its own key, and the key opens what the server encrypted.
 * Then every refusal, each with its status and KBS problem body, audited and releasing nothing.
 */
class KbsRoutesTest {
    private static final byte[] MEASUREMENT = "B".repeat(48).getBytes(StandardCharsets.US_ASCII);
    private static final SimulatedSnp PLATFORM = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(MEASUREMENT)),
            RestTestServer.START, new SecureRandom());
    private static final String DEFAULT_PROJECT = UUID.randomUUID().toString();
    private static final TestCertificates CERTIFICATES = TestCertificates.create("localhost");
    private static final HttpClient HTTPS = HttpClient.newBuilder().sslContext(CERTIFICATES.trustingContext())
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private static final JsonObject POLICY = new JsonObject("""
            {"version":"1.0","allOf":[{"claim":"tee","equals":"sim-snp"},{"claim":"snp.measurement","equals":"%s"}]}"""
            .formatted(HexFormat.of().formatHex(MEASUREMENT)));

    @RegisterExtension
    static final RestTestServer server = new RestTestServer(RestOptions.defaults().withHost("127.0.0.1").withPort(0)
            .withTls(CERTIFICATES.keyFile(), CERTIFICATES.certificateFile())
            .withKbsDefaultTenant(new TenantId(DEFAULT_PROJECT, "eu01")),
            AttestationOptions.simulated(PLATFORM), HTTPS);

    private final SnpGuest guest = new SnpGuest(PLATFORM);

    /** The guest's primary evidence for {@code reportData}, as the client sends it. */
    private JsonObject evidence(byte[] reportData) {
        return new JsonObject(guest.evidence(reportData).toString());
    }
    private ProjectApi admin;
    private String ring;

    @BeforeAll
    static void defaultProject() {
        ProjectApi.expect(201, server.http().post("/admin/v1/projects", server.operatorToken(),
                new JsonObject().put("projectId", DEFAULT_PROJECT)));
    }

    @BeforeEach
    void project() {
        String projectId = server.newProject();
        admin = server.api(projectId, server.token(projectId, Role.ADMIN));
        ring = admin.createRing("kbs");
    }


    private String root(ProjectApi api) {
        return "https://localhost:" + server.port() + api.prefix() + KbsRoutes.ROOT;
    }

    private KbsClient client(KeyPair teeKey) {
        return new KbsClient(HTTPS, root(admin), teeKey);
    }

    private String releasableKey(ProjectApi api, String ringId, JsonObject policy) {
        return ProjectApi.expect(202, api.post(api.ring(ringId) + "/releasable-keys", new JsonObject()
                .put("displayName", "kbs-secret").put("algorithm", "aes_256_gcm")
                .put("purpose", "symmetric_encrypt_decrypt").put("protection", "software")
                .put("releasePolicy", policy))).getString("id");
    }

    /** The released JWK's key opens the server's ciphertext: it is the stored key. */
    private static void opensServersCiphertext(JsonObject jwk, String ciphertext, byte[] plaintext) throws Exception {
        assertArrayEquals(plaintext, ReleasedKeys.decrypt(jwk, ciphertext));
    }

    private static void problem(int status, String kind, String detail, Http.Reply reply) {
        assertEquals(status, reply.status(), reply::toString);
        assertEquals(KbsErrors.TYPE_PREFIX + kind, reply.json().getString("type"), reply::toString);
        assertTrue(reply.json().getString("detail").startsWith(detail), reply::toString);
    }

    @Test
    void guestAttestsAndFetchesTheKeyWhichOpensTheServersCiphertext() throws Exception {
        String keyId = releasableKey(admin, ring, POLICY);
        byte[] secret = "kbs released".getBytes(StandardCharsets.UTF_8);
        String ciphertext = admin.encrypt(ring, keyId, 1, secret);
        KbsClient kbs = client(KbsClient.ecP256());

        Http.Reply auth = kbs.auth("snp");
        assertEquals(200, auth.status(), auth::toString);
        assertEquals(32, Base64.getDecoder().decode(auth.json().getString("nonce")).length);
        assertEquals("sha384", auth.json().getJsonObject("extra-params").getString("selected-hash-algorithm"));
        String setCookie = auth.header("Set-Cookie").orElseThrow();
        assertTrue(setCookie.matches("kbs-session-id=[0-9a-f]{32};.*"), setCookie);
        assertTrue(setCookie.contains("; HttpOnly; Secure;") && setCookie.contains("; Max-Age=300;")
                && setCookie.contains("; Expires=" + DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        server.clock().instant().plusSeconds(300).atOffset(ZoneOffset.UTC)) + ";"), setCookie);

        Http.Reply attest = kbs.attest(kbs.attestation(kbs.nonce(), evidence(kbs.reportData(kbs.nonce()))));
        assertEquals(200, attest.status(), attest::toString);
        String token = attest.json().getString("token");
        JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                StandardCharsets.UTF_8));
        assertEquals(kbs.teePubkey(), claims.getJsonObject("tee-pubkey"));
        assertEquals("sim-snp", claims.getJsonObject("tresor").getString("tee"));
        assertEquals(claims.getLong("iat") + 300, claims.getLong("exp"));

        Http.Reply resource = kbs.resource(ring + "/key/" + keyId);
        assertEquals(200, resource.status(), resource::toString);
        JsonObject jwe = resource.json();
        assertEquals(List.of("ciphertext", "encrypted_key", "iv", "protected", "tag"),
                jwe.fieldNames().stream().sorted().toList());
        JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(jwe.getString("protected")),
                StandardCharsets.UTF_8));
        assertEquals("ECDH-ES+A256KW", header.getString("alg"));
        assertEquals("P-256", header.getJsonObject("epk").getString("crv"));
        opensServersCiphertext(new JsonObject(new String(kbs.open(jwe), StandardCharsets.UTF_8)), ciphertext, secret);

        assertEquals(token, kbs.attest(new JsonObject().put("runtime-data", new JsonObject().put("nonce", "AA==")
                .put("tee-pubkey", kbs.teePubkey())).put("tee-evidence", new JsonObject()
                .put("primary_evidence", new JsonObject()))).json().getString("token"),
                "an attested session answers its token again");
        KbsClient bearer = client(KbsClient.ecP256());
        Http.Reply byToken = bearer.resourceWithToken(ring + "/key/" + keyId + "?version=1", token);
        assertEquals(200, byToken.status(), byToken::toString);
        opensServersCiphertext(new JsonObject(new String(kbs.open(byToken.json()), StandardCharsets.UTF_8)),
                ciphertext, secret);
    }

    @Test
    void anRsaGuestOfTheDefaultInstanceIsServedAtKbsV0() throws Exception {
        ProjectApi defaultAdmin = server.api(DEFAULT_PROJECT, server.token(DEFAULT_PROJECT, Role.ADMIN));
        String defaultRing = defaultAdmin.createRing("default");
        String keyId = releasableKey(defaultAdmin, defaultRing, POLICY);
        byte[] secret = "default instance".getBytes(StandardCharsets.UTF_8);
        String ciphertext = defaultAdmin.encrypt(defaultRing, keyId, 1, secret);
        KeyPair rsa = WorkloadKeys.rsa();
        KbsClient kbs = new KbsClient(HTTPS, "https://localhost:" + server.port() + KbsRoutes.ROOT, rsa);

        assertEquals(200, kbs.attest("snp", this::evidence).status());
        Http.Reply resource = kbs.resource(defaultRing + "/key/" + keyId);
        assertEquals(200, resource.status(), resource::toString);
        JsonObject jwe = resource.json();
        String compact = String.join(".", jwe.getString("protected"), jwe.getString("encrypted_key"),
                jwe.getString("iv"), jwe.getString("ciphertext"), jwe.getString("tag"));
        opensServersCiphertext(new JsonObject(new String(WorkloadKeys.decrypt(compact, rsa.getPrivate()),
                StandardCharsets.UTF_8)), ciphertext, secret);

        KbsClient elsewhere = client(rsa);
        elsewhere.useCookie(kbs.cookie());
        problem(401, "TokenNotFound", "no attested KBS session", elsewhere.resource(defaultRing + "/key/" + keyId));
    }

    @Test
    void withoutAnAttestedSessionNothingIsServed() {
        String keyId = releasableKey(admin, ring, POLICY);
        KbsClient kbs = client(KbsClient.ecP256());
        problem(401, "TokenNotFound", "no kbs-session-id cookie", kbs.resource(ring + "/key/" + keyId));
        problem(401, "AttestationError", "no kbs-session-id cookie",
                kbs.attest(kbs.attestation("AA==", new JsonObject())));
        problem(401, "TokenNotFound", "the bearer token is not", kbs.resourceWithToken(ring + "/key/" + keyId, "a.b.c"));

        kbs.auth("snp");
        problem(401, "TokenNotFound", "no attested KBS session", kbs.resource(ring + "/key/" + keyId));
        problem(401, "AttestationError", "KBS protocol version 0.1.0 is not supported",
                client(KbsClient.ecP256()).auth(new JsonObject().put("version", "0.1.0").put("tee", "snp")));
        problem(401, "AttestationError", "tee sgx is not supported",
                client(KbsClient.ecP256()).auth(new JsonObject().put("version", "0.4.0").put("tee", "sgx")));
    }

    @Test
    void theHandshakeSpendsNoBudgetAndAnUnknownInstanceAnswersItLikeAKnownOne() {
        String projectId = server.newProject(2);
        ProjectApi owner = server.api(projectId, server.token(projectId, Role.ADMIN));
        String unknown = "https://localhost:" + server.port() + "/v1/projects/" + UUID.randomUUID()
                + "/regions/eu01" + KbsRoutes.ROOT;
        for (String root : List.of(root(owner), unknown)) {
            for (int i = 0; i < 3; i++) {
                KbsClient kbs = new KbsClient(HTTPS, root, KbsClient.ecP256());
                assertEquals(200, kbs.auth("snp").status(), root);
                problem(401, "AttestationError", "BINDING_MISMATCH",
                        kbs.attest(kbs.attestation(kbs.nonce(), evidence(new byte[64]))));
            }
        }
        owner.createRing("after-the-handshakes");
        owner.createRing("within-a-budget-of-two");
    }

    @Test
    void evidenceBoundToAnotherKeyOrNonceIsRefusedAndTheNonceIsSpent() {
        KbsClient kbs = client(KbsClient.ecP256());
        kbs.auth("snp");
        String nonce = kbs.nonce();
        KbsClient other = client(KbsClient.ecP256());
        problem(401, "AttestationError", "BINDING_MISMATCH",
                kbs.attest(kbs.attestation(nonce, evidence(other.reportData(nonce)))));
        problem(401, "AttestationError", "NONCE_REUSED",
                kbs.attest(kbs.attestation(nonce, evidence(kbs.reportData(nonce)))));

        KbsClient first = client(KbsClient.ecP256());
        first.auth("snp");
        JsonObject recorded = first.attestation(first.nonce(), evidence(first.reportData(first.nonce())));
        assertEquals(200, first.attest(recorded).status());
        KbsClient replayer = client(KbsClient.ecP256());
        replayer.auth("snp");
        problem(401, "AttestationError", "NONCE_UNKNOWN", replayer.attest(recorded));
    }

    @Test
    void sessionsEndAfterFiveMinutes() {
        String keyId = releasableKey(admin, ring, POLICY);
        KbsClient late = client(KbsClient.ecP256());
        late.auth("snp");
        JsonObject attestation = late.attestation(late.nonce(), evidence(late.reportData(late.nonce())));
        KbsClient attested = client(KbsClient.ecP256());
        assertEquals(200, attested.attest("snp", this::evidence).status());
        String token = attested.attest("snp", this::evidence).json().getString("token");

        server.clock().advance(Duration.ofMinutes(6));
        problem(401, "AttestationError", "NONCE_EXPIRED", late.attest(attestation));
        problem(401, "TokenNotFound", "KBS session expired", attested.resource(ring + "/key/" + keyId));
        problem(401, "TokenNotFound", "the bearer token is not", attested.resourceWithToken(ring + "/key/" + keyId, token));
    }

    @Test
    void theKeysTermsDecideEachResource() {
        String other = releasableKey(admin, ring, new JsonObject("""
                {"version":"1.0","allOf":[{"claim":"snp.measurement","equals":"%s"}]}"""
                .formatted(HexFormat.of().formatHex("C".repeat(48).getBytes(StandardCharsets.US_ASCII)))));
        String plain = admin.createAesKey(ring);
        KbsClient kbs = client(KbsClient.ecP256());
        assertEquals(200, kbs.attest("snp", this::evidence).status());

        problem(403, "PolicyDeny", "POLICY_DENIED: allOf[0] snp.measurement", kbs.resource(ring + "/key/" + other));
        problem(403, "PolicyDeny", "key " + plain + " was not created releasable", kbs.resource(ring + "/key/" + plain));
        problem(404, "InvalidRequestPath", "key", kbs.resource(ring + "/key/" + UUID.randomUUID()));
        problem(404, "InvalidRequestPath", "resource type secret", kbs.resource(ring + "/secret/" + other));
        problem(404, "InvalidRequestPath", "version", kbs.resource(ring + "/key/" + other + "?version=x"));
        problem(404, "InvalidRequestPath", "KBS path", kbs.resource(ring + "/key"));

        JsonObject refused = ProjectApi.expect(200, admin.get(admin.prefix() + "/export/audit")).getJsonArray("records")
                .stream().map(JsonObject.class::cast)
                .filter(r -> r.getString("operation").equals("attestation.verify"))
                .map(r -> r.getJsonObject("details"))
                .filter(d -> "refused".equals(d.getString("verdict")))
                .findFirst().orElseThrow();
        assertTrue(refused.getString("reason").startsWith("POLICY_DENIED"), refused::toString);
        assertEquals("sim-snp", refused.getString("tee"));
        assertEquals(HexFormat.of().formatHex(MEASUREMENT), refused.getString("snp.measurement"));
    }
}
