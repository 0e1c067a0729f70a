package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.key.ReleaseTerms;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.SimulatedEvidence;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attestation-gated decrypt over KMIP with a real TLS client: refused, a Nonce in the response
 * header, evidence from the server's simulated SEV-SNP platform bound to that Nonce and to the
 * client's certificate, accepted on the retry; and the refusals, each with its Result Reason.
 */
class KmipAttestationTest {
    /** RSA-3072 chain generation is slow: one simulated platform per class. */
    private static final SimulatedSnp PLATFORM = SimulatedSnp.create(
            SimulatedSnp.Launch.milan(Bytes.of(filled(0x42, 48))), Instant.parse("2025-12-01T00:00:00Z"),
            new SecureRandom());
    private static final String POLICY = """
            {"version":"1.0","allOf":[{"claim":"tee","equals":"sim-snp"},
             {"claim":"snp.measurement","equals":"%s"}]}""".formatted("42".repeat(48));
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int AES = 0x03;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int SEV_SNP_REPORT = 0x80000001;
    private static final int TDX_QUOTE = 0x80000002;
    private static final int SAML_ASSERTION = 3;
    private static final int QUERY_ATTESTATION_TYPES = 7;
    private static final int SNP_REPORT_BYTES = 0x4A0;
    private static final byte[] SECRET = "volume key bytes".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension(dir -> KmipTestServer.start(dir, PLATFORM));

    /** A gated AES key with {@link #SECRET} encrypted under it, in one version's encoding. */
    private record Sealed(ProtocolVersion version, String uid, Ttlv[] decrypt) {
    }

    @Test
    void gatedDecryptIsRefusedWithANonceAndOpensWithEvidenceBoundToItAndTheChannel() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        try (KmipTestClient client = server.client()) {
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_2, ProtocolVersion.V1_4, ProtocolVersion.V2_0,
                    ProtocolVersion.V2_1)) {
                Sealed sealed = gatedKey(client, version, Set.of(ReleaseTerms.Use.DECRYPT));

                Ttlv plain = call(client, version, List.of(), sealed.decrypt());
                assertEquals(ResultReason.PERMISSION_DENIED.code(), reason(plain), version.toString());
                assertTrue(header(plain).find(Tag.NONCE).isEmpty(), "no Nonce for a client that cannot attest");

                Ttlv required = call(client, version, List.of(capable()), sealed.decrypt());
                assertEquals(ResultReason.ATTESTATION_REQUIRED.code(), reason(required), version.toString());
                Ttlv nonce = header(required).require(Tag.NONCE);
                List<Integer> types = header(required).all(Tag.ATTESTATION_TYPE).stream().map(Ttlv::asEnum).toList();
                assertTrue(types.containsAll(List.of(SEV_SNP_REPORT, TDX_QUOTE)), types.toString());

                if (version.isTwoOrLater()) {
                    assertTrue(attested(client, version, sealed.uid()), "y-tresor-attested");
                }

                Ttlv credential = credential(nonce, SEV_SNP_REPORT, evidence(nonce, server.pki.client.certificate()));
                Ttlv opened = call(client, version, List.of(capable(), credential), sealed.decrypt());
                assertEquals(0, Requests.status(item(opened)), message(opened));
                assertArrayEquals(SECRET, item(opened).require(Tag.RESPONSE_PAYLOAD).require(Tag.DATA).asBytes().toArray());
                assertTrue(header(opened).find(Tag.NONCE).isEmpty());

                Ttlv replayed = call(client, version, List.of(capable(), credential), sealed.decrypt());
                assertRefused(replayed, "NONCE_REUSED");
            }
        }
    }

    @Test
    void aGatedExportableKeyIsNeitherHandedOutByGetNorAKeystreamOracleThroughEncrypt() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            ProtocolVersion version = ProtocolVersion.V2_1;
            Sealed sealed = gatedKey(client, version, Set.of(ReleaseTerms.Use.DECRYPT));
            Ttlv get = client.call(Requests.message(version, List.of(),
                    Requests.item(Operation.GET, Kmip.uid(sealed.uid()))));
            assertEquals(ResultReason.PERMISSION_DENIED.code(), reason(get), message(get));
            assertTrue(item(get).find(Tag.RESPONSE_PAYLOAD).isEmpty());

            Ttlv victimIv = sealed.decrypt()[2];
            Ttlv keystream = client.call(Requests.message(version, List.of(), Requests.item(Operation.ENCRYPT,
                    Kmip.uid(sealed.uid()), Ttlv.bytes(Tag.DATA, Bytes.of(new byte[SECRET.length])), victimIv)));
            assertTrue(Requests.status(item(keystream)) != 0, "an Encrypt under the victim's IV was answered");
            assertTrue(message(keystream).contains("requires attestation for decrypt"), message(keystream));
            assertTrue(item(keystream).find(Tag.RESPONSE_PAYLOAD).isEmpty());
        }
    }

    @Test
    void evidenceThatDoesNotHoldIsAttestationFailedAndDecryptsNothing() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        X509Certificate mine = server.pki.client.certificate();
        try (KmipTestClient client = server.client()) {
            ProtocolVersion version = ProtocolVersion.V2_1;
            Sealed sealed = gatedKey(client, version, Set.of(ReleaseTerms.Use.DECRYPT, ReleaseTerms.Use.UNWRAP));

            Ttlv nonce = freshNonce(client, sealed);
            X509Certificate other = server.pki.newClient("someone-else").certificate();
            assertRefused(retry(client, sealed, credential(nonce, SEV_SNP_REPORT, evidence(nonce, other))),
                    "BINDING_MISMATCH");

            nonce = freshNonce(client, sealed);
            byte[] tampered = evidence(nonce, mine);
            tampered[0x90] ^= 1; // a byte of MEASUREMENT, inside the signed part
            assertRefused(retry(client, sealed, credential(nonce, SEV_SNP_REPORT, tampered)), "SIGNATURE_INVALID");

            nonce = freshNonce(client, sealed);
            byte[] otherGuest = evidence(nonce, mine, Optional.of(Bytes.of(filled(0x43, 48))));
            assertRefused(retry(client, sealed, credential(nonce, SEV_SNP_REPORT, otherGuest)), "POLICY_DENIED");

            nonce = freshNonce(client, sealed);
            byte[] reportOnly = Arrays.copyOf(evidence(nonce, mine), SNP_REPORT_BYTES);
            assertRefused(retry(client, sealed, credential(nonce, SEV_SNP_REPORT, reportOnly)), "CHAIN_INVALID");

            nonce = freshNonce(client, sealed);
            assertRefused(retry(client, sealed, credential(nonce, SAML_ASSERTION, evidence(nonce, mine))),
                    "UNSUPPORTED_FORMAT");

            Ttlv forged = Ttlv.structure(Tag.NONCE, Ttlv.bytes(Tag.NONCE_ID, Bytes.of(nonce.require(Tag.NONCE_ID)
                    .asBytes().toArray())), Ttlv.bytes(Tag.NONCE_VALUE, Bytes.of(filled(0x07, 32))));
            assertRefused(retry(client, sealed, credential(forged, SEV_SNP_REPORT, evidence(forged, mine))),
                    "NONCE_UNKNOWN");

            List<AuditEvent> attempts = attempts(server);
            List<String> reasons = new ArrayList<>();
            for (AuditEvent attempt : attempts.subList(attempts.size() - 5, attempts.size())) {
                assertEquals("refused", attempt.details().get("verdict"));
                reasons.add(attempt.details().get("reason").split(":")[0]);
            }
            assertEquals(List.of("BINDING_MISMATCH", "SIGNATURE_INVALID", "POLICY_DENIED", "CHAIN_INVALID",
                    "NONCE_UNKNOWN"), reasons, "every attempt that reached the core is audited");
        }
    }

    @Test
    void aTdxQuoteUnderItsVendorTypeReachesTheTdxVerifier() throws Exception {
        Path quote = Path.of(System.getProperty("tresor.shared"), "testdata", "attestation", "tdx", "trustee-v4-6",
                "quote.bin");
        assertTrue(Files.isRegularFile(quote), "TDX sample missing: " + quote);
        KmipTestServer server = LOOPBACK.server();
        try (KmipTestClient client = server.client()) {
            Sealed sealed = gatedKey(client, ProtocolVersion.V1_4, Set.of(ReleaseTerms.Use.DECRYPT));
            Ttlv nonce = freshNonce(client, sealed);
            Ttlv refused = retry(client, sealed, credential(nonce, TDX_QUOTE, Files.readAllBytes(quote)));
            assertRefused(refused, "COLLATERAL_MISSING");
            AuditEvent attempt = lastAttempt(server);
            assertEquals("tdx", attempt.details().get("type"));
        }
    }

    @Test
    void queryAttestationTypesNamesTheTypesTresorChecks() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Ttlv answer = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.QUERY,
                    Ttlv.enumeration(Tag.QUERY_FUNCTION, QUERY_ATTESTATION_TYPES));
            assertEquals(List.of(SEV_SNP_REPORT, TDX_QUOTE, 0x80000003, 0x80000004, 1),
                    answer.all(Tag.ATTESTATION_TYPE).stream().map(Ttlv::asEnum).toList());
            Ttlv old = new Kmip(client, ProtocolVersion.V1_1).ok(Operation.QUERY,
                    Ttlv.enumeration(Tag.QUERY_FUNCTION, QUERY_ATTESTATION_TYPES));
            assertTrue(old.all(Tag.ATTESTATION_TYPE).isEmpty(), "1.1 has no Attestation Type");
        }
    }

    @Test
    void aCredentialOnAKeyThatNeedsNoEvidenceIsIgnored() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        try (KmipTestClient client = server.client()) {
            Sealed gated = gatedKey(client, ProtocolVersion.V2_1, Set.of(ReleaseTerms.Use.DECRYPT));
            Ttlv nonce = freshNonce(client, gated);
            Sealed free = gatedKey(client, ProtocolVersion.V2_1, Set.of());
            Ttlv credential = credential(nonce, SEV_SNP_REPORT, evidence(nonce, server.pki.client.certificate()));

            assertEquals(false, attested(client, free.version(), free.uid()), "y-tresor-attested");
            Ttlv opened = call(client, free.version(), List.of(capable(), credential), free.decrypt());
            assertArrayEquals(SECRET, item(opened).require(Tag.RESPONSE_PAYLOAD).require(Tag.DATA).asBytes().toArray());
            Ttlv stillFresh = call(client, gated.version(), List.of(capable(), credential), gated.decrypt());
            assertEquals(0, Requests.status(item(stillFresh)), "the nonce was not spent on a key that needs none");
        }
    }

    @Test
    void anAttestationCredentialBeforeOneTwoOrMalformedBreaksTheMessage() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Ttlv nonce = Ttlv.structure(Tag.NONCE, Ttlv.bytes(Tag.NONCE_ID, Bytes.of(new byte[] {1})),
                    Ttlv.bytes(Tag.NONCE_VALUE, Bytes.of(new byte[] {2})));
            Ttlv credential = credential(nonce, SEV_SNP_REPORT, new byte[] {3});
            Ttlv old = client.call(Requests.message(ProtocolVersion.V1_1, List.of(credential),
                    Requests.item(Operation.DISCOVER_VERSIONS)));
            assertEquals(ResultReason.INVALID_MESSAGE.code(), reason(old));

            Ttlv withoutEvidence = Ttlv.structure(Tag.AUTHENTICATION, Ttlv.structure(Tag.CREDENTIAL,
                    Ttlv.enumeration(Tag.CREDENTIAL_TYPE, 3), Ttlv.structure(Tag.CREDENTIAL_VALUE, nonce,
                            Ttlv.enumeration(Tag.ATTESTATION_TYPE, SEV_SNP_REPORT))));
            Ttlv refused = client.call(Requests.message(ProtocolVersion.V2_1, List.of(withoutEvidence),
                    Requests.item(Operation.DISCOVER_VERSIONS)));
            assertEquals(ResultReason.INVALID_MESSAGE.code(), reason(refused));
            assertTrue(message(refused).contains("Measurement or Assertion"), message(refused));
        }
    }

    private static Sealed gatedKey(KmipTestClient client, ProtocolVersion version, Set<ReleaseTerms.Use> gated)
            throws Exception {
        Kmip kmip = new Kmip(client, version);
        String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT))).require(Tag.UNIQUE_IDENTIFIER).asText();
        kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
        Ttlv encrypted = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.of(SECRET)));
        KmipTestServer server = LOOPBACK.server();
        server.core.core().keyManagement().setReleasePolicy(TestCore.caller(server.tenant, Role.ADMIN),
                KeyRef.byId(uid), POLICY, gated);
        List<Ttlv> decrypt = new ArrayList<>(List.of(Kmip.uid(uid), encrypted.require(Tag.DATA),
                encrypted.require(Tag.IV_COUNTER_NONCE)));
        encrypted.find(Tag.AUTHENTICATED_ENCRYPTION_TAG).ifPresent(decrypt::add);
        return new Sealed(version, uid, decrypt.toArray(Ttlv[]::new));
    }

    private static List<AuditEvent> attempts(KmipTestServer server) {
        KeyManagement kms = server.core.core().keyManagement();
        Caller admin = TestCore.caller(server.tenant, Role.ADMIN);
        Instant now = server.core.clock().instant();
        return kms.exportAudit(admin, now.minusSeconds(60), now.plusSeconds(1)).stream()
                .map(r -> r.event()).filter(e -> e.operation().equals("attestation.verify")).toList();
    }

    private static AuditEvent lastAttempt(KmipTestServer server) {
        List<AuditEvent> attempts = attempts(server);
        return attempts.get(attempts.size() - 1);
    }

    /** Tresor's y-tresor-attested attribute, asked for by name (2.x form). */
    private static boolean attested(KmipTestClient client, ProtocolVersion version, String uid) throws Exception {
        Ttlv answer = new Kmip(client, version).ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid),
                Ttlv.structure(Tag.ATTRIBUTE_REFERENCE, Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"),
                        Ttlv.text(Tag.ATTRIBUTE_NAME, "y-tresor-attested")));
        return answer.require(Tag.ATTRIBUTES).require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE).asBoolean();
    }

    private static Ttlv freshNonce(KmipTestClient client, Sealed sealed) throws Exception {
        Ttlv required = call(client, sealed.version(), List.of(capable()), sealed.decrypt());
        assertEquals(ResultReason.ATTESTATION_REQUIRED.code(), reason(required));
        return header(required).require(Tag.NONCE);
    }

    private static Ttlv retry(KmipTestClient client, Sealed sealed, Ttlv credential) throws Exception {
        return call(client, sealed.version(), List.of(capable(), credential), sealed.decrypt());
    }

    private static void assertRefused(Ttlv response, String reasonCode) {
        assertEquals(ResultReason.ATTESTATION_FAILED.code(), reason(response), message(response));
        assertTrue(message(response).startsWith(reasonCode + ":"), message(response));
        assertTrue(item(response).find(Tag.RESPONSE_PAYLOAD).isEmpty(), "nothing decrypted");
    }

    /** REPORT_DATA = SHA-512(Nonce ID ‖ Nonce Value ‖ SHA-256(SPKI of the client certificate)); report ‖ table. */
    private static byte[] evidence(Ttlv nonce, X509Certificate client) throws Exception {
        return evidence(nonce, client, Optional.empty());
    }

    private static byte[] evidence(Ttlv nonce, X509Certificate client, Optional<Bytes> measurement) throws Exception {
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        sha512.update(nonce.require(Tag.NONCE_ID).asBytes().toArray());
        sha512.update(nonce.require(Tag.NONCE_VALUE).asBytes().toArray());
        sha512.update(MessageDigest.getInstance("SHA-256").digest(client.getPublicKey().getEncoded()));
        KmipTestServer server = LOOPBACK.server();
        SimulatedEvidence report = server.core.core().keyManagement().simulateReport(
                TestCore.caller(server.tenant, Role.ADMIN), Bytes.wrap(sha512.digest()), measurement, Optional.empty());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        joined.writeBytes(report.report().toArray());
        joined.writeBytes(report.certificateTable().toArray());
        return joined.toByteArray();
    }

    private static Ttlv credential(Ttlv nonce, int type, byte[] measurement) {
        return Ttlv.structure(Tag.AUTHENTICATION, Ttlv.structure(Tag.CREDENTIAL,
                Ttlv.enumeration(Tag.CREDENTIAL_TYPE, 3),
                Ttlv.structure(Tag.CREDENTIAL_VALUE, nonce, Ttlv.enumeration(Tag.ATTESTATION_TYPE, type),
                        Ttlv.bytes(Tag.ATTESTATION_MEASUREMENT, Bytes.of(measurement)))));
    }

    private static Ttlv capable() {
        return Ttlv.bool(Tag.ATTESTATION_CAPABLE_INDICATOR, true);
    }

    private static Ttlv call(KmipTestClient client, ProtocolVersion version, List<Ttlv> headerExtras, Ttlv... payload)
            throws Exception {
        return client.call(Requests.message(version, headerExtras, Requests.item(Operation.DECRYPT, payload)));
    }

    private static Ttlv header(Ttlv response) {
        return response.require(Tag.RESPONSE_HEADER);
    }

    private static Ttlv item(Ttlv response) {
        return Requests.items(response).get(0);
    }

    private static int reason(Ttlv response) {
        return Requests.reason(item(response));
    }

    private static String message(Ttlv response) {
        return item(response).find(Tag.RESULT_MESSAGE).map(Ttlv::asText).orElse("");
    }

    private static byte[] filled(int value, int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
