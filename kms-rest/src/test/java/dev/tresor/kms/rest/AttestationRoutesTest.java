package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.attest.TestData;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.testing.WorkloadKeys;
import dev.tresor.kms.tenant.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attestation-gated release over REST against a real server with the simulated SEV-SNP platform:
 * challenge → simulated report bound to the workload key → release → the workload decrypts the
 * JWE and its key opens what the server encrypted; and every refusal releases nothing.
 */
class AttestationRoutesTest {
    private static final byte[] MEASUREMENT = filled(0x42);
    private static final SimulatedSnp PLATFORM = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(MEASUREMENT)),
            RestTestServer.START, new SecureRandom());
    private static final JsonObject POLICY = new JsonObject("""
            {"version":"1.0","allOf":[{"claim":"tee","equals":"sim-snp"},
             {"claim":"snp.measurement","equals":"%s"},{"claim":"snp.vmpl","equals":0}]}"""
            .formatted(HexFormat.of().formatHex(MEASUREMENT)));

    @RegisterExtension
    static final RestTestServer server = new RestTestServer(
            RestOptions.defaults().withHost("127.0.0.1").withPort(0), AttestationOptions.simulated(PLATFORM));

    private ProjectApi admin;
    private ProjectApi workloadApi;
    private String ring;

    @BeforeEach
    void project() {
        String projectId = server.newProject();
        admin = server.api(projectId, server.token(projectId, Role.ADMIN));
        workloadApi = server.api(projectId, server.token(projectId, Role.CRYPTO_USER));
        ring = admin.createRing("attested");
    }

    private static byte[] filled(int value) {
        byte[] out = new byte[48];
        Arrays.fill(out, (byte) value);
        return out;
    }

    private String releasableKey(JsonObject policy, String... requiredFor) {
        JsonObject body = new JsonObject().put("displayName", "releasable").put("algorithm", "aes_256_gcm")
                .put("purpose", "symmetric_encrypt_decrypt").put("protection", "software")
                .put("releasePolicy", policy);
        if (requiredFor.length > 0) {
            body.put("attestationRequiredFor", new JsonArray(Arrays.asList(requiredFor)));
        }
        return ProjectApi.expect(202, admin.post(admin.ring(ring) + "/releasable-keys", body)).getString("id");
    }

    /** The evidence a workload sends: a fresh challenge, a simulated report bound to its key. */
    private JsonObject evidence(KeyPair workload, JsonObject reportRequest) {
        JsonObject challenge = ProjectApi.expect(201, workloadApi.post(workloadApi.prefix() + "/attestation/challenges", null));
        byte[] nonce = Base64.getUrlDecoder().decode(challenge.getString("nonce"));
        byte[] reportData = new ExpectedBinding.Native(Bytes.wrap(nonce), workload.getPublic()).reportData();
        JsonObject report = ProjectApi.expect(200, workloadApi.post(workloadApi.prefix() + "/attestation/sim/reports",
                reportRequest.copy().put("reportData", Base64.getEncoder().encodeToString(reportData))));
        return new JsonObject()
                .put("nonceId", challenge.getString("nonceId"))
                .put("evidenceType", "snp")
                .put("evidence", report.getString("report"))
                .put("certificates", report.getString("certificates"))
                .put("publicKey", Base64.getEncoder().encodeToString(workload.getPublic().getEncoded()));
    }

    private JsonObject evidence(KeyPair workload) {
        return evidence(workload, new JsonObject());
    }

    private Http.Reply release(String keyId, JsonObject evidence) {
        return workloadApi.post(workloadApi.key(ring, keyId) + "/release", evidence);
    }

    @Test
    void attestedWorkloadDecryptsTheReleasedKeyAndItOpensTheServersCiphertext() throws Exception {
        String keyId = releasableKey(POLICY);
        String ciphertext = workloadApi.encrypt(ring, keyId, 1, "released".getBytes(StandardCharsets.UTF_8));
        KeyPair workload = WorkloadKeys.rsa();

        String jwe = ProjectApi.expect(200, workloadApi.post(workloadApi.version(ring, keyId, 1) + "/release",
                evidence(workload))).getString("jwe");

        JsonObject jwk = new JsonObject(new String(WorkloadKeys.decrypt(jwe, workload.getPrivate()), StandardCharsets.UTF_8));
        assertArrayEquals("released".getBytes(StandardCharsets.UTF_8), ReleasedKeys.decrypt(jwk, ciphertext));
        assertEquals(200, release(keyId, evidence(workload)).status(), "the primary-version route releases too");
    }

    @Test
    void refusedEvidenceAnswers403WithTheReasonAndReleasesNothing() {
        String keyId = releasableKey(POLICY);
        KeyPair workload = WorkloadKeys.rsa();

        refused("POLICY_DENIED: allOf[1] snp.measurement", release(keyId, evidence(workload,
                new JsonObject().put("measurement", HexFormat.of().formatHex(filled(0x43))))));
        refused("BASELINE_REFUSED: snp.policy.debug", release(keyId, evidence(workload,
                new JsonObject().put("policy", 0x30000L | 1L << 19))));

        JsonObject once = evidence(workload);
        assertEquals(200, release(keyId, once).status());
        refused("NONCE_REUSED", release(keyId, once));

        JsonObject late = evidence(workload);
        server.clock().advance(Duration.ofMinutes(6));
        refused("NONCE_EXPIRED", release(keyId, late));

        JsonObject tampered = evidence(workload);
        byte[] report = Base64.getDecoder().decode(tampered.getString("evidence"));
        report[0x90] ^= 1;
        refused("SIGNATURE_INVALID", release(keyId, tampered.put("evidence", Base64.getEncoder().encodeToString(report))));

        SimulatedSnp stranger = SimulatedSnp.create(SimulatedSnp.Launch.milan(Bytes.of(MEASUREMENT)),
                server.clock().instant(), new SecureRandom());
        JsonObject foreign = evidence(workload);
        JsonObject challenge = ProjectApi.expect(201, workloadApi.post(workloadApi.prefix() + "/attestation/challenges", null));
        byte[] nonce = Base64.getUrlDecoder().decode(challenge.getString("nonce"));
        foreign.put("nonceId", challenge.getString("nonceId"))
                .put("evidence", Base64.getEncoder().encodeToString(stranger.report(
                        new ExpectedBinding.Native(Bytes.wrap(nonce), workload.getPublic()).reportData())))
                .put("certificates", Base64.getEncoder().encodeToString(stranger.certificateTable()));
        refused("UNTRUSTED_ROOT", release(keyId, foreign));
    }

    private static void refused(String reason, Http.Reply reply) {
        assertEquals(403, reply.status(), reply::toString);
        assertTrue(reply.message().startsWith(reason), reply::toString);
        assertFalse(reply.json().containsKey("jwe"));
    }

    @Test
    void aChallengeIssuedForOneKeyIsRefusedByAnother() {
        String keyId = releasableKey(POLICY);
        String otherId = releasableKey(POLICY);
        KeyPair workload = WorkloadKeys.rsa();
        JsonObject forKey = new JsonObject().put("keyRingId", ring).put("keyId", keyId);

        JsonObject bound = boundEvidence(workload, forKey);
        refused("NONCE_UNKNOWN", release(otherId, bound));
        assertEquals(200, release(keyId, bound).status(), "the key it was issued for still accepts it");
        refused("NONCE_REUSED", release(keyId, bound));
        assertEquals(200, release(otherId, evidence(workload)).status(), "an unbound challenge serves any key");

        Http.Reply unknown = workloadApi.post(workloadApi.prefix() + "/attestation/challenges",
                new JsonObject().put("keyRingId", ring).put("keyId", java.util.UUID.randomUUID().toString()));
        assertEquals(404, unknown.status(), unknown::toString);
        Http.Reply malformed = workloadApi.post(workloadApi.prefix() + "/attestation/challenges",
                new JsonObject().put("keyId", keyId));
        assertEquals(400, malformed.status(), malformed::toString);
        assertTrue(malformed.message().contains("keyRingId"), malformed::toString);
    }

    /** Evidence answering a challenge issued for one key. */
    private JsonObject boundEvidence(KeyPair workload, JsonObject key) {
        JsonObject challenge = ProjectApi.expect(201, workloadApi.post(workloadApi.prefix() + "/attestation/challenges",
                key));
        assertEquals(key.getString("keyId"), challenge.getString("keyId"));
        byte[] nonce = Base64.getUrlDecoder().decode(challenge.getString("nonce"));
        byte[] reportData = new ExpectedBinding.Native(Bytes.wrap(nonce), workload.getPublic()).reportData();
        return new JsonObject()
                .put("nonceId", challenge.getString("nonceId"))
                .put("evidenceType", "snp")
                .put("evidence", Base64.getEncoder().encodeToString(PLATFORM.report(reportData)))
                .put("certificates", Base64.getEncoder().encodeToString(PLATFORM.certificateTable()))
                .put("publicKey", Base64.getEncoder().encodeToString(workload.getPublic().getEncoded()));
    }

    @Test
    void evidenceIsVerifiedWithoutReleasingAnything() {
        byte[] reportData = new byte[64];
        Arrays.fill(reportData, (byte) 7);
        JsonObject body = new JsonObject().put("evidenceType", "snp")
                .put("evidence", Base64.getEncoder().encodeToString(PLATFORM.report(reportData)))
                .put("certificates", Base64.getEncoder().encodeToString(PLATFORM.certificateTable()));
        String path = workloadApi.prefix() + "/attestation/verifications";

        JsonObject unbound = ProjectApi.expect(200, workloadApi.post(path, body));
        assertEquals("sim-snp", unbound.getString("tee"));
        assertEquals(false, unbound.getBoolean("bound"));
        assertEquals(HexFormat.of().formatHex(MEASUREMENT), unbound.getJsonObject("claims").getString("snp.measurement"));
        JsonObject bound = ProjectApi.expect(200, workloadApi.post(path, body.copy()
                .put("reportData", Base64.getEncoder().encodeToString(reportData))));
        assertEquals(true, bound.getBoolean("bound"));

        reportData[0] ^= 1;
        refused("BINDING_MISMATCH", workloadApi.post(path, body.copy()
                .put("reportData", Base64.getEncoder().encodeToString(reportData))));
        refused("COLLATERAL_MISSING", workloadApi.post(path, new JsonObject().put("evidenceType", "tdx")
                .put("evidence", Base64.getEncoder().encodeToString(TestData.read("tdx/dcapqvl-v4/quote.bin")))));
        Http.Reply unknownType = workloadApi.post(path, body.copy().put("evidenceType", "sgx"));
        assertEquals(400, unknownType.status(), unknownType::toString);
    }

    @Test
    void releasePolicyIsValidatedReadAndDeleted() {
        String keyId = releasableKey(POLICY);
        String path = admin.key(ring, keyId) + "/release-policy";
        JsonObject terms = ProjectApi.expect(200, admin.get(path));
        assertEquals(true, terms.getBoolean("releasable"));
        assertEquals(POLICY, terms.getJsonObject("policy"));
        assertEquals(new JsonArray().add("release"), terms.getJsonArray("attestationRequiredFor"));

        Http.Reply unknown = admin.http().send("PUT", path, admin.token(), new JsonObject().put("policy",
                new JsonObject("{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.measurment\",\"equals\":\"00\"}]}"))
                .encode());
        assertEquals(400, unknown.status(), unknown::toString);
        assertTrue(unknown.message().contains("snp.measurment"), unknown::toString);
        Http.Reply badUse = admin.http().send("PUT", path, admin.token(), new JsonObject().put("policy", POLICY)
                .put("attestationRequiredFor", new JsonArray().add("sign")).encode());
        assertEquals(400, badUse.status(), badUse::toString);
        assertTrue(badUse.message().contains("'sign'"), badUse::toString);

        assertEquals(204, admin.delete(path).status());
        assertTrue(ProjectApi.expect(200, admin.get(path)).getValue("policy") == null);
        Http.Reply noPolicy = release(keyId, evidence(WorkloadKeys.rsa()));
        assertEquals(409, noPolicy.status(), noPolicy::toString);
    }

    @Test
    void gatedDecryptNeedsEvidenceAndAnswersAJweOfThePlaintext() throws Exception {
        String keyId = releasableKey(POLICY, "decrypt");
        String ciphertext = workloadApi.encrypt(ring, keyId, 1, "gated".getBytes(StandardCharsets.UTF_8));

        Http.Reply plain = workloadApi.post(workloadApi.version(ring, keyId, 1) + "/decrypt",
                new JsonObject().put("data", ciphertext));
        assertEquals(403, plain.status(), plain::toString);
        assertTrue(plain.message().contains("requires attestation"), plain::toString);

        KeyPair workload = WorkloadKeys.rsa();
        String jwe = ProjectApi.expect(200, workloadApi.post(workloadApi.version(ring, keyId, 1) + "/attested-decrypt",
                evidence(workload).put("data", ciphertext))).getString("jwe");
        assertArrayEquals("gated".getBytes(StandardCharsets.UTF_8), WorkloadKeys.decrypt(jwe, workload.getPrivate()));
    }

    @Test
    void aKeyNotCreatedReleasableIsNeverReleasedEvenToAnAdmin() {
        String keyId = admin.createAesKey(ring);
        ProjectApi.expect(200, admin.http().send("PUT", admin.key(ring, keyId) + "/release-policy", admin.token(),
                new JsonObject().put("policy", POLICY).encode()));
        Http.Reply reply = admin.post(admin.key(ring, keyId) + "/release", evidence(WorkloadKeys.rsa()));
        assertEquals(403, reply.status(), reply::toString);
        assertTrue(reply.message().contains("not created releasable"), reply::toString);
    }
}
