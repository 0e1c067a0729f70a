package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.attest.Jwk;
import dev.tresor.kms.attest.jwe.Jwe;
import dev.tresor.kms.attest.kbs.KbsAttestation;
import dev.tresor.kms.attest.kbs.KbsChallenge;
import dev.tresor.kms.attest.kbs.KbsCredential;
import dev.tresor.kms.attest.kbs.KbsRequest;
import dev.tresor.kms.attest.kbs.KbsResourcePath;
import dev.tresor.kms.attest.kbs.KbsSessions;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.ReleaseTerms;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.SnpGuest;
import dev.tresor.kms.testing.TestCore;
import dev.tresor.kms.testing.WorkloadKeys;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KBS protocol through KeyManagement: only an attested session's resource is a counted call; a message
 * refused for its shape spends no nonce; the answer is sealed to the session's key.
 */
class KbsProtocolTest {
    private static final SimulatedSnp PLATFORM = SimulatedSnp.create(
            SimulatedSnp.Launch.milan(Bytes.of("B".repeat(48).getBytes(StandardCharsets.US_ASCII))),
            Instant.parse("2026-11-01T00:00:00Z"), new SecureRandom());
    private static final String POLICY = """
            {"version":"1.0","allOf":[{"claim":"tee","equals":"sim-snp"}]}""";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private TestCore test;
    private KeyManagement kms;
    private final SnpGuest guest = new SnpGuest(PLATFORM);

    @BeforeEach
    void open() {
        test = TestCore.open(dir, MovableClock.at("2026-11-23T12:00:00Z"), AttestationOptions.simulated(PLATFORM));
        kms = test.core().keyManagement();
    }

    @AfterEach
    void close() {
        test.close();
    }

    private String releasableKey(TenantId tenant) {
        Caller admin = TestCore.caller(tenant, Role.ADMIN);
        String ring = kms.createKeyRing(admin, new CreateKeyRing("kbs", Optional.empty())).id();
        Key key = kms.createKey(admin, CreateKey.rest(ring, "kbs", Optional.empty(), Algorithm.AES_256_GCM, "software",
                Key.AccessScope.PUBLIC, false), new ReleaseTerms(true, Optional.of(POLICY), java.util.Set.of(
                ReleaseTerms.Use.RELEASE)));
        return ring + "/" + key.id();
    }

    /** The Attestation message of a guest with {@code teeKey} answering {@code challenge}. */
    private static KbsAttestation attestation(KbsChallenge challenge, KeyPair teeKey, SnpGuest attester) throws Exception {
        return KbsAttestation.parse(JSON.writeValueAsBytes(message(challenge, teeKey, attester)));
    }

    private static ObjectNode message(KbsChallenge challenge, KeyPair teeKey, SnpGuest attester) throws Exception {
        ObjectNode jwk = JSON.createObjectNode().put("alg", "RSA-OAEP-256");
        Jwk.members(teeKey.getPublic()).forEach(jwk::put);
        ObjectNode message = JSON.createObjectNode();
        message.putObject("runtime-data").put("nonce", challenge.nonce()).set("tee-pubkey", jwk);
        ObjectNode runtimeData = JSON.createObjectNode().put("additional-evidence", "").put("nonce", challenge.nonce());
        runtimeData.set("tee-pubkey", jwk);
        byte[] reportData = new ExpectedBinding.Kbs(runtimeData, challenge.hashAlgorithm()).reportData();
        message.putObject("tee-evidence").put("additional_evidence", "")
                .set("primary_evidence", attester.evidence(reportData));
        return message;
    }

    @Test
    void onlyTheAttestedSessionsResourceIsACountedCallAuditedUnderTheVersion() throws Exception {
        TenantId tenant = test.newProject(4);
        String[] key = releasableKey(tenant).split("/");
        KeyPair teeKey = WorkloadKeys.rsa();
        for (int i = 0; i < 5; i++) {
            kms.kbsAuth(tenant, new KbsRequest("0.4.0", "snp", Optional.empty()));
        }
        KbsChallenge challenge = kms.kbsAuth(tenant, new KbsRequest("0.4.0", "snp", Optional.empty()));
        assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(KmsError.class, () -> kms.kbsResource(tenant,
                new KbsCredential.Session(challenge.sessionId()), new KbsResourcePath(key[0], "key", key[1],
                        OptionalLong.of(1)))).code(), "an unattested session is refused before it is counted");

        KbsSessions.Attested attested = kms.kbsAttest(tenant, challenge.sessionId(), attestation(challenge, teeKey, guest));
        Jwe jwe = kms.kbsResource(tenant, new KbsCredential.Session(challenge.sessionId()),
                new KbsResourcePath(key[0], "key", key[1], OptionalLong.of(1)));

        String jwk = new String(WorkloadKeys.decrypt(jwe.compact(), teeKey.getPrivate()), StandardCharsets.UTF_8);
        assertEquals("oct", JSON.readTree(jwk).path("kty").asText());
        assertEquals(challenge.expiresAt(), attested.expiresAt());
        kms.kbsResource(tenant, new KbsCredential.Session(challenge.sessionId()),
                new KbsResourcePath(key[0], "key", key[1], OptionalLong.of(1)));
        KmsError budget = assertThrows(KmsError.class, () -> kms.kbsResource(tenant,
                new KbsCredential.Session(challenge.sessionId()), new KbsResourcePath(key[0], "key", key[1],
                        OptionalLong.of(1))));
        assertEquals(ErrorCode.RATE_LIMITED, budget.code(), "ring, key and two resources were the four counted calls");

        List<AuditRecord> records = auditAfterTheHour(tenant);
        assertEquals(List.of("attestation.verify", "attestation.verify", "kbs.resource", "attestation.verify",
                "kbs.resource", "kbs.resource"), records.stream().map(AuditRecord::operation)
                .filter(o -> !o.startsWith("key")).toList(), "no record of the handshake's auth or the refused resource");
        String version = "keyrings/" + key[0] + "/keys/" + key[1] + "/versions/1";
        List<AuditRecord> resources = records.stream().filter(r -> r.operation().equals("kbs.resource")).toList();
        resources.forEach(r -> assertEquals(version, r.resource(), r::toString));
        assertEquals(List.of("ok", "ok", "RATE_LIMITED"), resources.stream().map(AuditRecord::result).toList());
        List<AuditRecord> verifications = records.stream().filter(r -> r.operation().equals("attestation.verify"))
                .toList();
        assertEquals(List.of("verified", "admitted", "admitted"),
                verifications.stream().map(r -> r.details().get("verdict")).toList());
        assertEquals("workload:kbs:" + challenge.sessionId().substring(0, 8), verifications.get(0).principal());
        for (AuditRecord record : records) {
            String text = record.details().toString() + record.principal() + record.resource();
            assertFalse(text.contains(challenge.sessionId()) || text.contains(challenge.nonce())
                    || text.contains(attested.token()), record::toString);
        }
    }

    @Test
    void anUnknownInstanceAnswersTheHandshakeLikeAKnownOne() throws Exception {
        TenantId nowhere = new TenantId(java.util.UUID.randomUUID().toString(), "eu01");
        KbsChallenge challenge = kms.kbsAuth(nowhere, new KbsRequest("0.4.0", "snp", Optional.empty()));
        assertTrue(challenge.sessionId().matches("[0-9a-f]{32}"), challenge.sessionId());
        KbsSessions.Attested attested = kms.kbsAttest(nowhere, challenge.sessionId(),
                attestation(challenge, WorkloadKeys.rsa(), guest));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(KmsError.class, () -> kms.kbsResource(nowhere,
                new KbsCredential.Session(attested.sessionId()), new KbsResourcePath("r", "key", "k",
                        OptionalLong.empty()))).code(), "only an attested session learns that the instance is unknown");
    }

    @Test
    void aSessionRefusedForItsInitDataIsAuditedAsRefused() throws Exception {
        TenantId tenant = test.newProject();
        KbsChallenge challenge = kms.kbsAuth(tenant, new KbsRequest("0.4.0", "snp", Optional.empty()));
        ObjectNode message = message(challenge, WorkloadKeys.rsa(), guest);
        message.putObject("init-data").put("format", "toml").put("body", "algorithm = \"sha384\"");
        KmsError refused = assertThrows(KmsError.class, () -> kms.kbsAttest(tenant, challenge.sessionId(),
                KbsAttestation.parse(JSON.writeValueAsBytes(message))));
        assertTrue(refused.getMessage().startsWith("BINDING_MISMATCH"), refused.getMessage());

        AuditRecord verification = auditAfterTheHour(tenant).stream()
                .filter(r -> r.operation().equals("attestation.verify")).findFirst().orElseThrow();
        assertEquals(ErrorCode.ATTESTATION_FAILED.name(), verification.result());
        assertEquals("refused", verification.details().get("verdict"));
        assertTrue(verification.details().get("reason").startsWith("BINDING_MISMATCH"), verification::toString);
    }

    /** The instance's audit log, exported once its spent budget has left the rolling hour. */
    private List<AuditRecord> auditAfterTheHour(TenantId tenant) {
        test.clock().advance(java.time.Duration.ofHours(2));
        return kms.exportAudit(TestCore.caller(tenant, Role.AUDITOR), Instant.EPOCH, test.clock().instant());
    }

    @Test
    void aMessageRefusedForItsKeySpendsNoNonceAndSessionsStayInTheirInstance() throws Exception {
        TenantId tenant = test.newProject();
        KbsChallenge challenge = kms.kbsAuth(tenant, new KbsRequest("0.4.0", "snp", Optional.empty()));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        KmsError small = assertThrows(KmsError.class, () -> kms.kbsAttest(tenant, challenge.sessionId(),
                attestation(challenge, rsa.generateKeyPair(), guest)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, small.code());

        TenantId other = test.newProject();
        KeyPair teeKey = WorkloadKeys.rsa();
        KbsAttestation good = attestation(challenge, teeKey, guest);
        assertTrue(assertThrows(KmsError.class, () -> kms.kbsAttest(other, challenge.sessionId(), good))
                .getMessage().startsWith("NONCE_UNKNOWN"));
        assertEquals("sim-snp", kms.kbsAttest(tenant, challenge.sessionId(), good).result().tee());
        KmsError elsewhere = assertThrows(KmsError.class, () -> kms.kbsResource(other,
                new KbsCredential.Session(challenge.sessionId()), new KbsResourcePath("r", "key", "k", OptionalLong.empty())));
        assertEquals(ErrorCode.UNAUTHENTICATED, elsewhere.code());
    }
}
