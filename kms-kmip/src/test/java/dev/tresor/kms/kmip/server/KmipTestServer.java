package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.operation.Operations;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;

/**
 * The real thing for tests: a core on RocksDB in a temporary directory (dev seal, movable clock),
 * the KMIP listener and the KMIP HTTPS listener on loopback ports with mutual TLS, and a client
 * certificate registered as admin of a project whose KMIP objects are exportable (as the
 * conformance profiles need).
 */
public final class KmipTestServer implements AutoCloseable {
    /** What the test projects allow legacy clients unless a test asks otherwise: new objects are exportable. */
    static final KmipLegacy EXPORTABLE = new KmipLegacy(true, false);

    final TestPki pki;
    final TestCore core;
    final TenantId tenant;
    private final Vertx vertx;
    private final KmipServer server;
    private final KmipHttpsServer https;
    final int port;
    /** The KMIP HTTPS listener's port (same certificates, processor and limits). */
    final int httpsPort;

    private KmipTestServer(TestCore core, TtlvLimits limits) throws Exception {
        pki = new TestPki();
        this.core = core;
        Administration administration = core.core().administration();
        Project project = administration.createProject(TestCore.OPERATOR, Optional.empty(), OptionalLong.of(100_000),
                EXPORTABLE);
        tenant = new TenantId(project.id(), "eu01");
        administration.registerClientCertificate(TestCore.OPERATOR, project.id(), Role.ADMIN,
                pki.client.certificatePem());
        ClientAuthenticator registry = certificate -> {
            Grant grant = administration.authenticateClientCertificate(certificate);
            return grant.callerIn(new TenantId(grant.projectId().orElseThrow(), "eu01"));
        };
        vertx = Vertx.vertx();
        MessageProcessor processor = new MessageProcessor(Operations.standard(), core.core().keyManagement(),
                registry, limits, core.clock());
        KmipServerOptions options = new KmipServerOptions("127.0.0.1", 0,
                new PemKeyCertOptions().setCertValue(Buffer.buffer(pki.server.certificatePem()))
                        .setKeyValue(Buffer.buffer(pki.server.keyPem())),
                new PemTrustOptions().addCertValue(Buffer.buffer(pki.ca.certificatePem())),
                limits, Duration.ofMinutes(1));
        server = new KmipServer(vertx, options, processor);
        port = server.start().await();
        https = new KmipHttpsServer(vertx, options, processor);
        httpsPort = https.start().await();
    }

    public static KmipTestServer start(Path dataDir) throws Exception {
        return start(dataDir, TtlvLimits.DEFAULT);
    }

    static KmipTestServer start(Path dataDir, TtlvLimits limits) throws Exception {
        return new KmipTestServer(TestCore.open(dataDir, startClock(), AttestationOptions.production()), limits);
    }

    /** A server whose core accepts evidence from the simulated TEE {@code platform}. */
    static KmipTestServer start(Path dataDir, SimulatedSnp platform) throws Exception {
        return new KmipTestServer(TestCore.open(dataDir, startClock(), AttestationOptions.simulated(platform)),
                TtlvLimits.DEFAULT);
    }

    /**
     * A server whose core stores in {@code store}, a real store the test opened in the data
     * directory and keeps: a {@link dev.tresor.kms.store.BreakableRocksDb}'s, which it can make fail
     * its commits, or a {@link dev.tresor.kms.store.RocksDbStore} whose synced writes it counts.
     */
    static KmipTestServer start(Path dataDir, Store store) throws Exception {
        return new KmipTestServer(TestCore.open(dataDir, startClock(), AttestationOptions.production(), store),
                TtlvLimits.DEFAULT);
    }

    private static MovableClock startClock() {
        return MovableClock.at("2026-01-01T00:00:00Z");
    }

    /** The KMIP listener's port, for clients outside this package (the load client's tests). */
    public int kmipPort() {
        return port;
    }

    /** A client's TLS context presenting the registered admin certificate and trusting the test CA. */
    public SSLContext adminTls() throws Exception {
        return pki.client.clientContext(pki.ca);
    }

    /** As {@link #adminTls()}, for the admin of a new project allowed {@code callsPerHour}. */
    public SSLContext adminTlsOfNewProject(long callsPerHour) throws Exception {
        return certificateOfNewProject(Role.ADMIN, callsPerHour).clientContext(pki.ca);
    }

    /** A client with the registered admin certificate. */
    KmipTestClient client() throws Exception {
        return client(pki.client);
    }

    /** A client of the main project with a certificate registered in {@code role}. */
    KmipTestClient client(Role role) throws Exception {
        TestPki.Issued certificate = pki.newClient(role.wireName() + "-main");
        core.core().administration().registerClientCertificate(TestCore.OPERATOR, tenant.projectId(), role,
                certificate.certificatePem());
        return client(certificate);
    }

    /** A client of a new project with its own hourly budget, registered in {@code role}. */
    KmipTestClient clientOfNewProject(Role role, long callsPerHour) throws Exception {
        return clientOfNewProject(role, callsPerHour, EXPORTABLE, KmipTestClient.Offer.DEFAULT);
    }

    /**
     * As {@link #clientOfNewProject(Role, long)}, in a project allowing {@code legacy}, offering only
     * the given TLS versions and cipher suites.
     */
    KmipTestClient clientOfNewProject(Role role, long callsPerHour, KmipLegacy legacy, KmipTestClient.Offer offer)
            throws Exception {
        return new KmipTestClient(certificateOfNewProject(role, callsPerHour, legacy).clientContext(pki.ca), port,
                offer);
    }

    /** A client certificate registered in {@code role} of a new project with its own hourly budget. */
    TestPki.Issued certificateOfNewProject(Role role, long callsPerHour) throws Exception {
        return certificateOfNewProject(role, callsPerHour, EXPORTABLE);
    }

    /** As {@link #certificateOfNewProject(Role, long)}, in a project allowing {@code legacy}. */
    TestPki.Issued certificateOfNewProject(Role role, long callsPerHour, KmipLegacy legacy) throws Exception {
        Administration administration = core.core().administration();
        Project project = administration.createProject(TestCore.OPERATOR, Optional.empty(),
                OptionalLong.of(callsPerHour), legacy);
        TestPki.Issued certificate = pki.newClient(role.wireName() + "-" + project.id());
        administration.registerClientCertificate(TestCore.OPERATOR, project.id(), role, certificate.certificatePem());
        return certificate;
    }

    /** A KMIP-over-HTTPS client with {@code certificate}. */
    KmipHttpsTestClient httpsClient(TestPki.Issued certificate) throws Exception {
        return new KmipHttpsTestClient(certificate.clientContext(pki.ca), httpsPort);
    }

    KmipTestClient client(TestPki.Issued certificate) throws Exception {
        return new KmipTestClient(certificate.clientContext(pki.ca), port);
    }

    /** Stops the listener as the server does on shutdown, waiting at most {@code grace} for requests in flight. */
    void stop(Duration grace) {
        server.stop(grace).await();
        https.stop(grace).await();
    }

    @Override
    public void close() {
        server.stop().await();
        https.stop().await();
        vertx.close().await();
        core.close();
    }
}
