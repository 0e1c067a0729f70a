package dev.tresor.kms.rest.kbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.rest.ErrorResponses;
import dev.tresor.kms.rest.Http;
import dev.tresor.kms.rest.ProjectApi;
import dev.tresor.kms.rest.RestOptions;
import dev.tresor.kms.rest.RestTestServer;
import dev.tresor.kms.rest.TestCertificates;
import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.LoggedRecords;
import dev.tresor.kms.testing.SnpGuest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review s9 n1: an INTERNAL error on a KBS route is logged as on every other route, the error
 * itself (with its cause and what was added to it), and its client is told only "internal error".
 */
class KbsInternalErrorTest {
    private static final String PROJECT = UUID.randomUUID().toString();
    private static final SimulatedSnp PLATFORM = SimulatedSnp.create(
            SimulatedSnp.Launch.milan(Bytes.of("B".repeat(48).getBytes(StandardCharsets.US_ASCII))),
            RestTestServer.START, new SecureRandom());
    private static final TestCertificates CERTIFICATES = TestCertificates.create("localhost");
    private static final HttpClient HTTPS = HttpClient.newBuilder().sslContext(CERTIFICATES.trustingContext())
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    @RegisterExtension
    static final RestTestServer server = new RestTestServer(RestOptions.defaults().withHost("127.0.0.1").withPort(0)
            .withTls(CERTIFICATES.keyFile(), CERTIFICATES.certificateFile())
            .withKbsDefaultTenant(new TenantId(PROJECT, "eu01")),
            AttestationOptions.simulated(PLATFORM), HTTPS).withBreakableStore();

    @Test
    void anAttestWhoseStoreFailedAnswersInternalErrorAndLogsTheErrorItself() {
        ProjectApi.expect(201, server.http().post("/admin/v1/projects", server.operatorToken(),
                new JsonObject().put("projectId", PROJECT)));
        SnpGuest guest = new SnpGuest(PLATFORM);
        KbsClient kbs = new KbsClient(HTTPS, "https://localhost:" + server.port() + KbsRoutes.ROOT,
                KbsClient.ecP256());
        server.failStoreCommits();

        Http.Reply attest;
        List<LogRecord> logged;
        try (LoggedRecords logs = LoggedRecords.of(ErrorResponses.class)) {
            attest = kbs.attest("snp", reportData -> new JsonObject(guest.evidence(reportData).toString()));
            logged = logs.records();
        }

        assertEquals(500, attest.status(), attest::toString);
        assertEquals(new JsonObject().put("type", KbsErrors.TYPE_PREFIX + "InternalError").put("detail", "internal error"),
                attest.json());
        assertEquals(1, logged.size(), () -> logged.stream().map(LogRecord::getMessage).toList().toString());
        KmsError error = assertInstanceOf(KmsError.class, logged.get(0).getThrown(), "the error, not its cause");
        assertEquals(ErrorCode.INTERNAL, error.code());
        assertTrue(logged.get(0).getMessage().startsWith("internal error on " + KbsRoutes.ROOT + "/attest: "),
                logged.get(0).getMessage());
    }
}
