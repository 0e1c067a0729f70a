package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.service.Regions;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.Principal;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TresorServerTest {
    @TempDir
    Path dataDir;

    @Test
    void devStartWritesWhatAClientNeedsAndTheTokenWorks() throws Exception {
        TresorServer server = TresorServer.start(devConfig(), Clock.systemUTC());
        try {
            DevFacts facts = server.devFacts().orElseThrow();
            DevFiles files = DevFiles.in(dataDir);

            assertEquals(Optional.of(facts), DevFacts.read(files.devJson()));
            assertEquals(Regions.DEFAULT, facts.regionId());
            assertEquals(URI.create("https://localhost:" + server.restPort()), facts.restUrl());
            for (Path path : new Path[] {facts.caFile(), facts.kmipClientCertificate(), facts.kmipClientKey(),
                    facts.pkcs11Conf()}) {
                assertTrue(path.isAbsolute() && Files.isRegularFile(path), path.toString());
            }
            assertTrue(Files.readString(facts.pkcs11Conf())
                    .contains("\n[token dev]\nproject = " + facts.projectId() + "\n"));

            HttpsProbe https = new HttpsProbe(facts.caFile());
            assertEquals(200, https.get(facts.restUrl().resolve("/healthz"), "").statusCode());
            assertEquals(200, https.get(keyRings(facts), facts.adminToken()).statusCode());
            assertEquals(401, https.get(keyRings(facts), "not-a-token").statusCode());
        } finally {
            server.stop();
        }
    }

    @Test
    void aRestartReusesProjectTokenAndKeys() throws Exception {
        TresorServer first = TresorServer.start(devConfig(), Clock.systemUTC());
        DevFacts before = first.devFacts().orElseThrow();
        HttpsProbe https = new HttpsProbe(before.caFile());
        HttpResponse<String> created = https.post(keyRings(before), before.adminToken(),
                "{\"displayName\":\"survives\"}");
        assertEquals(202, created.statusCode(), created.body());
        first.stop();

        TresorServer second = TresorServer.start(devConfig(), Clock.systemUTC());
        try {
            DevFacts after = second.devFacts().orElseThrow();
            assertEquals(before.projectId(), after.projectId());
            assertEquals(before.adminToken(), after.adminToken());
            HttpResponse<String> rings = new HttpsProbe(after.caFile()).get(keyRings(after), after.adminToken());
            assertEquals(200, rings.statusCode());
            assertTrue(rings.body().contains("\"survives\""), rings.body());
        } finally {
            second.stop();
        }
    }

    @Test
    void withoutDevJsonARestartMakesANewProjectAndAClientCertificateForIt() throws Exception {
        TresorServer first = TresorServer.start(devConfig(), Clock.systemUTC());
        DevFacts before = first.devFacts().orElseThrow();
        String firstCertificate = Files.readString(before.kmipClientCertificate());
        first.stop();
        Files.delete(DevFiles.in(dataDir).devJson());

        TresorServer second = TresorServer.start(devConfig(), Clock.systemUTC());
        try {
            DevFacts after = second.devFacts().orElseThrow();
            assertNotEquals(before.projectId(), after.projectId());
            assertNotEquals(firstCertificate, Files.readString(after.kmipClientCertificate()),
                    "a certificate registered to the old project cannot move: a new one is issued");
            JsonNode certificates = CliRun.of(Map.of("TRESOR_DATA_DIR", dataDir.toString()),
                    "client-cert", "list").json().path("clientCerts");
            assertEquals(1, certificates.size(), certificates.toString());
            assertEquals("admin", certificates.get(0).path("role").asText());
        } finally {
            second.stop();
        }
    }

    @Test
    void stopLetsARunningRequestFinishThenClosesTheListenerAndTheStore() throws Exception {
        TresorServer server = TresorServer.start(devConfig(), Clock.systemUTC());
        DevFacts facts = server.devFacts().orElseThrow();
        HttpsProbe https = new HttpsProbe(facts.caFile());
        HttpResponse<String> ring = https.post(keyRings(facts), facts.adminToken(), "{\"displayName\":\"slow\"}");
        String ringId = new ObjectMapper().readTree(ring.body()).path("id").asText();

        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return https.post(URI.create(keyRings(facts) + "/" + ringId + "/keys"), facts.adminToken(),
                        "{\"displayName\":\"rsa\",\"algorithm\":\"rsa_4096_oaep_sha512\","
                                + "\"purpose\":\"asymmetric_encrypt_decrypt\",\"protection\":\"software\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitRunningPost(https, facts, slow);
        server.stop();

        HttpResponse<String> answer = slow.get(60, TimeUnit.SECONDS);
        assertEquals(202, answer.statusCode(), answer.body());
        assertRefused(https, facts);
        assertStoreReopens(facts);
    }

    /** Waits (bounded) until the server reports the slow POST as running, so stop() really overlaps it. */
    private static void awaitRunningPost(HttpsProbe https, DevFacts facts, CompletableFuture<?> slow)
            throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline) && !slow.isDone()) {
            String metrics = https.get(facts.restUrl().resolve("/metrics"), "").body();
            if (metrics.contains("vertx_http_server_active_requests{method=\"POST\"} 1.0")) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the RSA-4096 create was never seen running (done: " + slow.isDone() + ")");
    }

    private static void assertRefused(HttpsProbe https, DevFacts facts) {
        assertThrows(ConnectException.class, () -> {
            try {
                https.get(facts.restUrl().resolve("/healthz"), "");
            } catch (IOException e) {
                throw e.getCause() instanceof ConnectException connect ? connect : e;
            }
        });
    }

    /** RocksDB admits one opener per process: opening it again proves the stopped server closed it. */
    private void assertStoreReopens(DevFacts facts) {
        try (KmsCore reopened = KmsCore.open(KmsCore.Options.defaults(dataDir, true).withoutPurger())) {
            Grant operator = Grant.operator(new Principal(Principal.Kind.OPERATOR, "test"));
            assertEquals(facts.projectId(), reopened.administration().getProject(operator, facts.projectId()).id());
        }
    }

    private ServerConfig devConfig() {
        return ServerConfig.load(true, Optional.empty(), Map.of("TRESOR_DATA_DIR", dataDir.toString(),
                "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0"));
    }

    private static URI keyRings(DevFacts facts) {
        return facts.restUrl().resolve("/v1/projects/" + facts.projectId() + "/regions/eu01/keyrings");
    }
}
