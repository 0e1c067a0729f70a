package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.MovableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real thing for a test class ({@code @RegisterExtension static}): the core on RocksDB in a
 * temporary directory with the dev seal and a hand-moved clock, the REST server on a free port,
 * and an operator token made the way {@code kms-server} makes its first one.
 */
public final class RestTestServer implements BeforeAllCallback, AfterAllCallback {
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Grant BOOTSTRAP = Grant.operator(new Principal(Principal.Kind.OPERATOR, "rest-test"));

    private final RestOptions options;
    private final AttestationOptions attestation;
    private final HttpClient client;
    private final MovableClock clock = new MovableClock(START);
    private boolean breakableStore;
    private BreakableRocksDb breakable;
    private Path dataDir;
    private KmsCore core;
    private Vertx vertx;
    private RestServer server;
    private String operatorToken;
    private Http http;

    RestTestServer(RestOptions options) {
        this(options, AttestationOptions.production());
    }

    RestTestServer(RestOptions options, AttestationOptions attestation) {
        this(options, attestation, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** With the client the test's own calls use (one that trusts the server's certificate, for HTTPS). */
    public RestTestServer(RestOptions options, AttestationOptions attestation, HttpClient client) {
        this.options = options;
        this.attestation = attestation;
        this.client = client;
    }

    /** Plain HTTP on 127.0.0.1, any free port. */
    RestTestServer() {
        this(RestOptions.defaults().withHost("127.0.0.1").withPort(0));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("tresor-rest-test");
        KmsCore.Options coreOptions = new KmsCore.Options(Optional.of(dataDir), true, clock, Duration.ofDays(30),
                Duration.ofHours(24), 1000, Optional.empty(), attestation);
        if (breakableStore) {
            breakable = new BreakableRocksDb(KmsCore.storeDirectory(dataDir));
            core = KmsCore.open(coreOptions, breakable.store());
        } else {
            core = KmsCore.open(coreOptions);
        }
        RestMetrics metrics = RestMetrics.create();
        vertx = metrics.newVertx(new VertxOptions());
        server = new RestServer(vertx, core.keyManagement(), core.administration(), clock, options, metrics);
        await(server.start());
        operatorToken = core.administration().createOperatorToken(BOOTSTRAP, "rest tests").secret();
        http = new Http(client, (options.tls() ? "https" : "http") + "://127.0.0.1:" + server.actualPort());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        await(server.stop());
        await(vertx.close());
        core.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The core's RocksDB store can be made to fail its commits ({@link #failStoreCommits}), as a disk fault would. */
    public RestTestServer withBreakableStore() {
        breakableStore = true;
        return this;
    }

    /** Every store commit from now on fails inside RocksDB; needs {@link #withBreakableStore}. */
    public void failStoreCommits() {
        breakable.failCommits();
    }

    public MovableClock clock() {
        return clock;
    }

    public KmsCore core() {
        return core;
    }

    RestServer server() {
        return server;
    }

    public Http http() {
        return http;
    }

    public String operatorToken() {
        return operatorToken;
    }

    public int port() {
        return server.actualPort();
    }

    /** A new project through the admin API; answers its id. */
    public String newProject(long callsPerHour) {
        Http.Reply reply = http.post("/admin/v1/projects", operatorToken, new JsonObject().put("callsPerHour", callsPerHour));
        assertEquals(201, reply.status(), reply::toString);
        return reply.json().getString("projectId");
    }

    public String newProject() {
        return newProject(10_000);
    }

    /** A token of {@code role} in the project, through the admin API. */
    public String token(String projectId, Role role) {
        Http.Reply reply = http.post("/admin/v1/projects/" + projectId + "/tokens", operatorToken,
                new JsonObject().put("role", role.wireName()).put("description", "rest test " + role.wireName()));
        assertEquals(201, reply.status(), reply::toString);
        return reply.json().getString("token");
    }

    /** A project's API as one token sees it. */
    public ProjectApi api(String projectId, String token) {
        return new ProjectApi(http, projectId, token);
    }

    /** A new project and its admin's view of it. */
    public ProjectApi newProjectApi() {
        String projectId = newProject();
        return api(projectId, token(projectId, Role.ADMIN));
    }

    public static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }
}
