package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.attest.Challenge;
import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.ReleaseTerms;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import dev.tresor.kms.testing.WorkloadKeys;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Release and gated decrypt through KeyManagement, with the simulated SEV-SNP platform. */
class AttestedReleaseTest {
    /** RSA-3072 chain generation is slow: one simulated platform per JVM. */
    private static final SimulatedSnp PLATFORM = SimulatedSnp.create(
            SimulatedSnp.Launch.milan(Bytes.of(filled(0x42))), Instant.parse("2026-11-01T00:00:00Z"),
            new SecureRandom());
    private static final String POLICY = """
            {"version":"1.0","allOf":[{"claim":"tee","equals":"sim-snp"},
             {"claim":"snp.measurement","equals":"%s"}]}""".formatted("42".repeat(48));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final MovableClock clock = MovableClock.at("2026-11-23T12:00:00Z");
    private KmsCore core;
    private KeyManagement kms;
    private Caller admin;
    private Caller user;
    private String ring;

    @BeforeEach
    void open() {
        core = KmsCore.open(new KmsCore.Options(Optional.of(dir), true, clock, Duration.ofDays(30),
                Duration.ofHours(24), 1000, Optional.empty(), AttestationOptions.simulated(PLATFORM)));
        kms = core.keyManagement();
        Project project = core.administration().createProject(TestCore.OPERATOR, Optional.empty(),
                OptionalLong.of(10_000), KmipLegacy.NONE);
        TenantId tenant = new TenantId(project.id(), "eu01");
        admin = TestCore.caller(tenant, Role.ADMIN);
        user = TestCore.caller(tenant, Role.CRYPTO_USER);
        ring = kms.createKeyRing(admin, new CreateKeyRing("ring", Optional.empty())).id();
    }

    @AfterEach
    void close() {
        core.close();
    }

    private static byte[] filled(int value) {
        byte[] out = new byte[48];
        Arrays.fill(out, (byte) value);
        return out;
    }

    private Key aesKey(boolean releasable) {
        return kms.createKey(admin, CreateKey.rest(ring, "aes", Optional.empty(), Algorithm.AES_256_GCM, "software",
                Key.AccessScope.PUBLIC, false), ReleaseTerms.releasable(releasable));
    }

    private Evidence evidence(KeyPair workload, Optional<Bytes> measurement, long policy) {
        Challenge challenge = kms.issueChallenge(user);
        byte[] reportData = new ExpectedBinding.Native(challenge.nonce(), workload.getPublic()).reportData();
        SimulatedEvidence report = kms.simulateReport(user, Bytes.wrap(reportData), measurement, Optional.of(policy));
        return new Evidence(challenge.id(), "snp", report.report(), Optional.of(report.certificateTable()),
                Bytes.wrap(workload.getPublic().getEncoded()));
    }

    private Evidence evidence(KeyPair workload) {
        return evidence(workload, Optional.empty(), 0x30000L);
    }

    @Test
    void attestedWorkloadReceivesTheKeyAsAJwkThatDecryptsWhatTheKeyEncrypted() throws Exception {
        Key key = aesKey(true);
        kms.setReleasePolicy(admin, KeyRef.of(ring, key.id()), POLICY, Set.of(ReleaseTerms.Use.RELEASE));
        Encrypted sealed = kms.encrypt(user, new EncryptRequest(KeyRef.of(ring, key.id()).primary(),
                Bytes.wrap("hello".getBytes(StandardCharsets.UTF_8)), Optional.of(Scheme.AES_GCM), Optional.empty(),
                Optional.empty(), false));
        KeyPair workload = WorkloadKeys.rsa();

        String jwe = kms.release(user, KeyRef.of(ring, key.id()).primary(), evidence(workload));

        JsonNode header = JSON.readTree(WorkloadKeys.header(jwe));
        assertEquals("RSA-OAEP-256", header.get("alg").asText());
        assertEquals("jwk+json", header.get("cty").asText());
        assertEquals("keyrings/" + ring + "/keys/" + key.id() + "/versions/1", header.get("tresor_key").asText());
        JsonNode jwk = JSON.readTree(WorkloadKeys.decrypt(jwe, workload.getPrivate()));
        assertEquals("oct", jwk.get("kty").asText());
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Base64.getUrlDecoder().decode(jwk.get("k").asText()), "AES"),
                new GCMParameterSpec(128, sealed.iv().orElseThrow().toArray()));
        byte[] data = sealed.data().toArray();
        byte[] tag = sealed.tag().orElseThrow().toArray();
        byte[] joined = Arrays.copyOf(data, data.length + tag.length);
        System.arraycopy(tag, 0, joined, data.length, tag.length);
        assertEquals("hello", new String(gcm.doFinal(joined), StandardCharsets.UTF_8));
    }

    @Test
    void releasedEcKeyPairIsTheKeyWhosePublicHalfTheServerPublishes() throws Exception {
        Key key = kms.createKey(admin, CreateKey.rest(ring, "ec", Optional.empty(), Algorithm.ECDSA_P384_SHA384,
                "software", Key.AccessScope.PUBLIC, false), ReleaseTerms.releasable(true));
        kms.setReleasePolicy(admin, KeyRef.of(ring, key.id()), POLICY, Set.of());
        KeyPair workload = WorkloadKeys.rsa();

        JsonNode jwk = JSON.readTree(WorkloadKeys.decrypt(
                kms.release(user, KeyRef.of(ring, key.id()).version(1), evidence(workload)), workload.getPrivate()));

        assertEquals("P-384", jwk.get("crv").asText());
        assertEquals(48, Base64.getUrlDecoder().decode(jwk.get("d").asText()).length);
        java.security.interfaces.ECPublicKey published = (java.security.interfaces.ECPublicKey)
                java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(
                        kms.publicKey(user, KeyRef.of(ring, key.id()).version(1)).toArray()));
        assertEquals(published.getW().getAffineX(),
                new java.math.BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("x").asText())));
    }

    @Test
    void refusedEvidenceReleasesNothingAndNamesTheReason() {
        Key key = aesKey(true);
        KeyRef ref = KeyRef.of(ring, key.id());
        kms.setReleasePolicy(admin, ref, POLICY, Set.of());
        KeyPair workload = WorkloadKeys.rsa();

        assertFailed("POLICY_DENIED: allOf[1] snp.measurement equals",
                () -> kms.release(user, ref.primary(), evidence(workload, Optional.of(Bytes.of(filled(0x43))), 0x30000L)));
        assertFailed("BASELINE_REFUSED: snp.policy.debug",
                () -> kms.release(user, ref.primary(), evidence(workload, Optional.empty(), 0x30000L | 1L << 19)));

        Evidence once = evidence(workload);
        kms.release(user, ref.primary(), once);
        assertFailed("NONCE_REUSED", () -> kms.release(user, ref.primary(), once));

        Evidence late = evidence(workload);
        clock.advance(Duration.ofMinutes(6));
        assertFailed("NONCE_EXPIRED", () -> kms.release(user, ref.primary(), late));

        Evidence good = evidence(workload);
        byte[] tampered = good.evidence().toArray();
        tampered[0x90] ^= 1;
        assertFailed("SIGNATURE_INVALID", () -> kms.release(user, ref.primary(), new Evidence(good.nonceId(), "snp",
                Bytes.wrap(tampered), good.certificateTable(), good.workloadKey())));

        Evidence misbound = evidence(workload);
        assertFailed("BINDING_MISMATCH", () -> kms.release(user, ref.primary(), new Evidence(misbound.nonceId(), "snp",
                misbound.evidence(), misbound.certificateTable(),
                Bytes.wrap(WorkloadKeys.rsa().getPublic().getEncoded()))));
    }

    @Test
    void onlyReleasableKeysWithAPolicyAreReleasedWhateverTheRole() {
        Key plain = aesKey(false);
        kms.setReleasePolicy(admin, KeyRef.of(ring, plain.id()), POLICY, Set.of());
        KeyPair workload = WorkloadKeys.rsa();
        KmsError notReleasable = assertThrows(KmsError.class,
                () -> kms.release(admin, KeyRef.of(ring, plain.id()).primary(), evidence(workload)));
        assertEquals(ErrorCode.PERMISSION_DENIED, notReleasable.code());

        Key withoutPolicy = aesKey(true);
        KmsError noPolicy = assertThrows(KmsError.class,
                () -> kms.release(admin, KeyRef.of(ring, withoutPolicy.id()).primary(), evidence(workload)));
        assertEquals(ErrorCode.FAILED_PRECONDITION, noPolicy.code());
        assertFalse(kms.getReleasePolicy(admin, KeyRef.of(ring, withoutPolicy.id())).policy().isPresent());
    }

    @Test
    void policiesAreValidatedWhenSetAndNamesTheUnknownPart() {
        KeyRef ref = KeyRef.of(ring, aesKey(true).id());
        KmsError claim = assertThrows(KmsError.class, () -> kms.setReleasePolicy(admin, ref,
                "{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.measurment\",\"equals\":\"00\"}]}", Set.of()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, claim.code());
        assertTrue(claim.getMessage().contains("snp.measurment"), claim.getMessage());
        KmsError operator = assertThrows(KmsError.class, () -> kms.setReleasePolicy(admin, ref,
                "{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"snp.vmpl\",\"lessThan\":1}]}", Set.of()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, operator.code());
        assertTrue(operator.getMessage().contains("lessThan"), operator.getMessage());
        assertFalse(kms.getReleasePolicy(admin, ref).policy().isPresent());

        kms.setReleasePolicy(admin, ref, POLICY, Set.of(ReleaseTerms.Use.DECRYPT));
        ReleaseTerms cleared = kms.deleteReleasePolicy(admin, ref);
        assertTrue(cleared.releasable());
        assertEquals(new ReleaseTerms(true, Optional.empty(), Set.of()), kms.getReleasePolicy(admin, ref));
    }

    @Test
    void gatedDecryptNeedsEvidenceAndAnswersAJweToTheWorkload() throws Exception {
        Key key = aesKey(false);
        KeyRef ref = KeyRef.of(ring, key.id());
        Encrypted sealed = kms.encrypt(user, EncryptRequest.envelope(ref.primary(),
                Bytes.wrap("gated".getBytes(StandardCharsets.UTF_8))));
        kms.setReleasePolicy(admin, ref, POLICY, Set.of(ReleaseTerms.Use.DECRYPT));
        DecryptRequest request = DecryptRequest.envelope(ref.primary(), sealed.data());

        KmsError required = assertThrows(KmsError.class, () -> kms.decrypt(admin, request));
        assertEquals(ErrorCode.ATTESTATION_REQUIRED, required.code());

        KeyPair workload = WorkloadKeys.rsa();
        String jwe = kms.decryptAttested(user, request, evidence(workload));
        assertArrayEquals("gated".getBytes(StandardCharsets.UTF_8), WorkloadKeys.decrypt(jwe, workload.getPrivate()));
        assertFailed("POLICY_DENIED", () -> kms.decryptAttested(user, request,
                evidence(workload, Optional.of(Bytes.of(filled(0x43))), 0x30000L)));
    }

    @Test
    void kmipCredentialBoundToTheNonceAndTheClientCertificateOpensAGatedKey() throws Exception {
        KeyRef ref = KeyRef.of(ring, aesKey(false).id());
        Encrypted sealed = kms.encrypt(user, EncryptRequest.envelope(ref.primary(),
                Bytes.wrap("kmip".getBytes(StandardCharsets.UTF_8))));
        kms.setReleasePolicy(admin, ref, POLICY, Set.of(ReleaseTerms.Use.DECRYPT));
        DecryptRequest request = DecryptRequest.envelope(ref.primary(), sealed.data());
        X509Certificate client = selfSigned("kmip-client");

        KmipAttestation credential = kmipCredential(kms.issueKmipChallenge(user), client);
        assertArrayEquals("kmip".getBytes(StandardCharsets.UTF_8), kms.decryptAttested(user, request, credential).toArray());
        assertFailed("NONCE_REUSED", () -> kms.decryptAttested(user, request, credential));

        Challenge forOtherClient = kms.issueKmipChallenge(user);
        KmipAttestation misbound = kmipCredential(forOtherClient, selfSigned("other-client"));
        assertFailed("BINDING_MISMATCH", () -> kms.decryptAttested(user, request, new KmipAttestation(
                misbound.nonceId(), misbound.nonceValue(), "snp", misbound.measurement(), misbound.certificateTable(),
                client)));

        Challenge restChallenge = kms.issueChallenge(user);
        assertFailed("NONCE_UNKNOWN", () -> kms.decryptAttested(user, request, kmipCredential(restChallenge, client)));
    }

    /** A key as KMIP creates it: no pinned algorithm, so the scheme is chosen per call. */
    private Key typedAesKey(boolean exportableAndReleasable) {
        return kms.createKey(admin, CreateKey.typed(ring, "kmip", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(exportableAndReleasable), java.util.Map.of()),
                ReleaseTerms.releasable(exportableAndReleasable));
    }

    @Test
    void aGatedKeyIsNoDecryptionOracle() {
        Key key = typedAesKey(false);
        VersionRef ref = KeyRef.byId(key.id()).version(1);
        Bytes secret = Bytes.wrap("gated plaintext".getBytes(StandardCharsets.UTF_8));
        Encrypted victim = kms.encrypt(user, new EncryptRequest(ref, secret, Optional.of(Scheme.AES_GCM),
                Optional.empty(), Optional.empty(), false));
        kms.setReleasePolicy(admin, KeyRef.byId(key.id()), POLICY, Set.of(ReleaseTerms.Use.UNWRAP));
        Bytes zeros = Bytes.wrap(new byte[secret.length()]);
        Bytes block = Bytes.wrap(new byte[16]);

        refusedAsOracle(() -> kms.encrypt(user, new EncryptRequest(ref, zeros, Optional.of(Scheme.AES_GCM),
                Optional.empty(), victim.iv(), false)));
        refusedAsOracle(() -> kms.encrypt(user, new EncryptRequest(ref, block, Optional.of(Scheme.AES_CBC_NO_PADDING),
                Optional.empty(), Optional.of(block), false)));
        refusedAsOracle(() -> kms.encrypt(user, new EncryptRequest(ref, block, Optional.of(Scheme.AES_ECB_NO_PADDING),
                Optional.empty(), Optional.empty(), false)));

        Encrypted fresh = kms.encrypt(user, new EncryptRequest(ref, zeros, Optional.of(Scheme.AES_GCM),
                Optional.empty(), Optional.empty(), false));
        assertFalse(fresh.iv().equals(victim.iv()));
    }

    private static void refusedAsOracle(Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains("requires attestation for decrypt"), error.getMessage());
    }

    @Test
    void aKeyWithAReleasePolicyIsNotExportedWhateverItsExportableFlag() {
        Key key = typedAesKey(true);
        VersionRef ref = KeyRef.byId(key.id()).version(1);
        assertEquals(32, kms.exportMaterial(admin, ref).length());

        for (Set<ReleaseTerms.Use> gated : List.of(Set.of(ReleaseTerms.Use.DECRYPT), Set.<ReleaseTerms.Use>of())) {
            kms.setReleasePolicy(admin, KeyRef.byId(key.id()), POLICY, gated);
            KmsError refused = assertThrows(KmsError.class, () -> kms.exportMaterial(admin, ref));
            assertEquals(ErrorCode.PERMISSION_DENIED, refused.code());
            assertTrue(refused.getMessage().contains("attested release"), refused.getMessage());
        }
    }

    private KmipAttestation kmipCredential(Challenge challenge, X509Certificate client) {
        Bytes nonceId = Bytes.wrap(challenge.id().getBytes(StandardCharsets.US_ASCII));
        byte[] reportData = new ExpectedBinding.Kmip(nonceId, challenge.nonce(), client).reportData();
        SimulatedEvidence report = kms.simulateReport(user, Bytes.wrap(reportData), Optional.empty(), Optional.empty());
        return new KmipAttestation(nonceId, challenge.nonce(), "snp", report.report(),
                Optional.of(report.certificateTable()), client);
    }

    private static X509Certificate selfSigned(String name) throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair pair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject,
                java.math.BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), subject,
                pair.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    @Test
    void everyAttemptIsAuditedWithVerdictReasonAndDecisiveClaims() {
        Key key = aesKey(true);
        KeyRef ref = KeyRef.of(ring, key.id());
        kms.setReleasePolicy(admin, ref, POLICY, Set.of());
        KeyPair workload = WorkloadKeys.rsa();
        kms.release(user, ref.primary(), evidence(workload));
        assertThrows(KmsError.class, () -> kms.release(user, ref.primary(),
                evidence(workload, Optional.of(Bytes.of(filled(0x43))), 0x30000L)));

        List<AuditEvent> attempts = kms.exportAudit(admin, clock.instant().minusSeconds(60), clock.instant().plusSeconds(1))
                .stream().map(r -> r.event()).filter(e -> e.operation().equals("attestation.verify")).toList();
        assertEquals(2, attempts.size());
        AuditEvent admitted = attempts.get(0);
        assertEquals(AuditEvent.OK, admitted.result());
        assertEquals("admitted", admitted.details().get("verdict"));
        assertEquals("true", admitted.details().get("simulated"));
        assertEquals("sim-snp", admitted.details().get("tee"));
        assertEquals("42".repeat(48), admitted.details().get("snp.measurement"));
        AuditEvent refused = attempts.get(1);
        assertEquals("ATTESTATION_FAILED", refused.result());
        assertEquals("POLICY_DENIED: allOf[1] snp.measurement equals", refused.details().get("reason"));
        assertEquals("43".repeat(48), refused.details().get("snp.measurement"));
    }

    @Test
    void withoutSimulationNoSimulatedReportIsMadeAndNoSimPolicyAccepted(@TempDir Path other) {
        try (KmsCore production = KmsCore.open(new KmsCore.Options(Optional.of(other), true, clock, Duration.ofDays(30),
                Duration.ofHours(24), 1000, Optional.empty()))) {
            KeyManagement prod = production.keyManagement();
            Project project = production.administration().createProject(TestCore.OPERATOR, Optional.empty(),
                    OptionalLong.of(100), KmipLegacy.NONE);
            Caller caller = TestCore.caller(new TenantId(project.id(), "eu01"), Role.ADMIN);
            String prodRing = prod.createKeyRing(caller, new CreateKeyRing("ring", Optional.empty())).id();
            Key key = prod.createKey(caller, CreateKey.rest(prodRing, "aes", Optional.empty(), Algorithm.AES_256_GCM,
                    "software", Key.AccessScope.PUBLIC, false), ReleaseTerms.releasable(true));
            KmsError simPolicy = assertThrows(KmsError.class,
                    () -> prod.setReleasePolicy(caller, KeyRef.of(prodRing, key.id()), POLICY, Set.of()));
            assertEquals(ErrorCode.INVALID_ARGUMENT, simPolicy.code());
            KmsError simReport = assertThrows(KmsError.class,
                    () -> prod.simulateReport(caller, Bytes.wrap(new byte[64]), Optional.empty(), Optional.empty()));
            assertEquals(ErrorCode.FAILED_PRECONDITION, simReport.code());
        }
    }

    private static void assertFailed(String reason, Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.ATTESTATION_FAILED, error.code());
        assertTrue(error.getMessage().startsWith(reason), error.getMessage());
    }
}
