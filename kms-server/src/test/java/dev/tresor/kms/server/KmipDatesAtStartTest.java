package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevBootstrap;
import dev.tresor.kms.server.dev.DevFiles;
import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.service.Regions;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import dev.tresor.kms.testing.UtcTestClock;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server gives KMIP keys stored by an older build their dates before REST serves them. */
class KmipDatesAtStartTest {
    private static final int LOCATE = 0x08;
    private static final int SUCCESS = 0;
    private static final int OPERATION_FAILED = 1;
    private static final int GENERAL_FAILURE = 0x100;

    @TempDir
    Path dataDir;

    /** What an older build stored for a KMIP key with a Protect Stop Date: the date in its KMIP attributes only. */
    private static Map<String, String> olderKmipAttributes(Instant protectStop) {
        Ttlv stored = Ttlv.structure(Tag.ATTRIBUTES, Ttlv.structure(Tag.ATTRIBUTE,
                Ttlv.text(Tag.ATTRIBUTE_NAME, "Protect Stop Date"), Ttlv.dateTime(Tag.ATTRIBUTE_VALUE, protectStop)));
        return Map.of("kmip/1/0", Base64.getEncoder().encodeToString(TtlvWriter.write(stored)));
    }

    @Test
    void aDevStartGivesAStoredKmipKeyItsDatesBeforeRestServesIt() throws Exception {
        String token;
        URI encrypt;
        try (KmsCore older = KmsCore.open(KmsCore.Options.defaults(dataDir, true))) {
            String projectId = older.administration().createProject(TestCore.OPERATOR, Optional.empty(),
                    OptionalLong.empty(), KmipLegacy.NONE).id();
            token = older.administration().createToken(TestCore.OPERATOR, projectId, Role.ADMIN, "test",
                    Optional.empty()).secret();
            Caller admin = TestCore.caller(new TenantId(projectId, Regions.DEFAULT), Role.ADMIN);
            String ring = older.keyManagement().createKeyRing(admin, new CreateKeyRing("kmip", Optional.empty())).id();
            Key key = older.keyManagement().createKey(admin, CreateKey.typed(ring, "older", KeyType.AES_256,
                    Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false),
                    olderKmipAttributes(Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.SECONDS))));
            encrypt = URI.create("/v1/projects/" + projectId + "/regions/eu01/keyrings/" + ring + "/keys/" + key.id()
                    + "/versions/1/encrypt");
        }

        TresorServer server = TresorServer.start(ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0")),
                Clock.systemUTC());
        try {
            HttpsProbe https = new HttpsProbe(server.devFacts().orElseThrow().caFile());
            HttpResponse<String> refused = https.post(URI.create("https://localhost:" + server.restPort())
                    .resolve(encrypt), token, "{\"data\":\"BwcH\"}");
            assertEquals(409, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("past its Protect Stop Date"), refused.body());
        } finally {
            server.stop();
        }
    }

    /**
     * Dates2 m6, at the server: while a Shamir unseal's use-period pass runs, {@code /readyz}
     * answers 503 MIGRATING and REST and KMIP refuse data calls as documented (kmip.md, Dates);
     * once the pass has ended, the unseal answers and the same calls are served. The pass is held
     * at its first clock reading, as it records the period it gives the stored key.
     */
    @Test
    void whileAShamirUnsealsPassRunsRestAndKmipServeNoDataCall(@TempDir Path tlsDir) throws Exception {
        DevFiles tls = DevFiles.in(tlsDir);
        new DevBootstrap(tls, Clock.systemUTC()).prepareTls();
        String share;
        String token;
        String keyId;
        URI encrypt;
        try (KmsCore older = KmsCore.open(KmsCore.Options.defaults(dataDir, false).withoutPurger())) {
            Administration administration = older.administration();
            share = administration.initialize(1, 1).shares().get(0);
            String projectId = administration.createProject(TestCore.OPERATOR, Optional.empty(),
                    OptionalLong.empty(), KmipLegacy.NONE).id();
            token = administration.createToken(TestCore.OPERATOR, projectId, Role.ADMIN, "test",
                    Optional.empty()).secret();
            administration.registerClientCertificate(TestCore.OPERATOR, projectId, Role.ADMIN,
                    Files.readString(tls.kmipClientCertificate()));
            Caller admin = TestCore.caller(new TenantId(projectId, Regions.DEFAULT), Role.ADMIN);
            String ring = older.keyManagement().createKeyRing(admin, new CreateKeyRing("kmip", Optional.empty())).id();
            keyId = older.keyManagement().createKey(admin, CreateKey.typed(ring, "older", KeyType.AES_256,
                    Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false),
                    olderKmipAttributes(Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS))))
                    .id();
            encrypt = URI.create("/v1/projects/" + projectId + "/regions/eu01/keyrings/" + ring + "/keys/" + keyId
                    + "/versions/1/encrypt");
        }
        PassHoldingClock clock = new PassHoldingClock();
        TresorServer server = TresorServer.start(ServerConfig.load(false, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_LISTEN_HOST", "127.0.0.1",
                "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0",
                "TRESOR_REST_TLS_CERT", tls.restCertificate().toString(), "TRESOR_REST_TLS_KEY", tls.restKey().toString(),
                "TRESOR_KMIP_TLS_CERT", tls.kmipCertificate().toString(), "TRESOR_KMIP_TLS_KEY", tls.kmipKey().toString(),
                "TRESOR_KMIP_TLS_CLIENT_CA", tls.caCertificate().toString())), clock);
        ExecutorService unsealer = Executors.newSingleThreadExecutor();
        try {
            URI rest = URI.create("https://localhost:" + server.restPort());
            HttpsProbe https = new HttpsProbe(tls.caCertificate());
            KmipProbe kmip = new KmipProbe(tls.caCertificate(), tls.kmipClientCertificate(), tls.kmipClientKey(),
                    "localhost", server.kmipPort().orElseThrow());
            Future<HttpResponse<String>> unsealed = unsealer.submit(() -> https.post(rest.resolve("/admin/v1/unseal"), "",
                    "{\"share\":\"" + share + "\"}"));
            try {
                assertTrue(clock.awaitPassHeld(), "the unseal's pass reached its first clock reading");

                HttpResponse<String> ready = https.get(rest.resolve("/readyz"), "");
                assertEquals(503, ready.statusCode(), ready.body());
                assertTrue(ready.body().contains("unsealed; stored keys are being brought up to date"), ready.body());
                String status = https.get(rest.resolve("/admin/v1/seal"), "").body();
                assertTrue(status.contains("\"sealed\":false") && status.contains("\"migrating\":true"), status);
                HttpResponse<String> refused = https.post(rest.resolve(encrypt), token, "{\"data\":\"BwcH\"}");
                assertEquals(503, refused.statusCode(), refused.body());
                assertTrue(refused.body().contains("Tresor is unsealed; stored keys are being brought up to date"),
                        refused.body());
                Ttlv failed = kmip.call(locate()).require(Tag.BATCH_ITEM);
                assertEquals(OPERATION_FAILED, failed.require(Tag.RESULT_STATUS).asEnum());
                assertEquals(GENERAL_FAILURE, failed.require(Tag.RESULT_REASON).asEnum());
                assertTrue(failed.require(Tag.RESULT_MESSAGE).asText()
                        .contains("Tresor is unsealed; stored keys are being brought up to date"), failed.toString());
                assertFalse(unsealed.isDone(), "the unseal answers only once its pass has ended");
            } finally {
                clock.releasePass();
            }

            HttpResponse<String> unsealAnswer = unsealed.get(60, TimeUnit.SECONDS);
            assertEquals(200, unsealAnswer.statusCode(), unsealAnswer.body());
            assertTrue(unsealAnswer.body().contains("\"migrating\":false"), unsealAnswer.body());
            assertEquals(200, https.get(rest.resolve("/readyz"), "").statusCode());
            HttpResponse<String> served = https.post(rest.resolve(encrypt), token, "{\"data\":\"BwcH\"}");
            assertEquals(200, served.statusCode(), served.body());
            Ttlv located = kmip.call(locate()).require(Tag.BATCH_ITEM);
            assertEquals(SUCCESS, located.require(Tag.RESULT_STATUS).asEnum());
            assertTrue(located.toString().contains(keyId), located.toString());
        } finally {
            unsealer.shutdownNow();
            server.stop();
        }
    }

    private static Ttlv locate() {
        return KmipProbe.message(2, 1, KmipProbe.item(LOCATE));
    }

    /**
     * The system clock, except that the first reading made inside the core's use-period pass
     * (a frame of {@code UsePeriodBackfill}, package-private in kms-core, on the stack) waits until
     * the test releases it: the pass is held open on the thread of the unseal call that runs it,
     * with no hook in the server. A rename of that class fails the test at {@link #awaitPassHeld}.
     */
    private static final class PassHoldingClock extends UtcTestClock {
        private static final String PASS = "dev.tresor.kms.service.UsePeriodBackfill";
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        boolean awaitPassHeld() throws InterruptedException {
            return held.await(60, TimeUnit.SECONDS);
        }

        void releasePass() {
            released.countDown();
        }

        @Override
        public Instant instant() {
            if (held.getCount() > 0 && StackWalker.getInstance().walk(frames ->
                    frames.anyMatch(frame -> frame.getClassName().equals(PASS)))) {
                held.countDown();
                try {
                    released.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Instant.now();
        }
    }
}
