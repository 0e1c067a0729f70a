package dev.tresor.kms.server;

import dev.tresor.kms.kmip.operation.KmipDatesBackfill;
import dev.tresor.kms.kmip.operation.Lease;
import dev.tresor.kms.kmip.operation.Operations;
import dev.tresor.kms.kmip.server.ClientAuthenticator;
import dev.tresor.kms.kmip.server.KmipHttpsServer;
import dev.tresor.kms.kmip.server.KmipServer;
import dev.tresor.kms.kmip.server.KmipServerOptions;
import dev.tresor.kms.kmip.server.MessageProcessor;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.rest.RestMetrics;
import dev.tresor.kms.rest.RestOptions;
import dev.tresor.kms.rest.RestServer;
import dev.tresor.kms.seal.SealType;
import dev.tresor.kms.server.config.AttestationInputs;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.config.TlsFiles;
import dev.tresor.kms.server.dev.DevBootstrap;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.Regions;
import dev.tresor.kms.service.SealStatus;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.TenantId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The running server. Start-up order: data dir, (dev) TLS files, core (store and seal), HTTPS
 * listener, KMIP listener, (dev) project, token and client certificate. {@link #stop} reverses
 * it: listeners first, so no call reaches a closing store.
 */
final class TresorServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KMIP_IDLE_TIMEOUT = Duration.ofMinutes(5);
    private static final String DEV_HOST = "localhost";
    private static final Logger LOG = Logger.getLogger(TresorServer.class.getName());
    /** What the simulated guest measures: 48 bytes of 0x42 (dev policies name "42" x 48). */
    static final Bytes SIMULATED_MEASUREMENT = Bytes.of("B".repeat(48).getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private final KmsCore core;
    private final Vertx vertx;
    private final RestServer rest;
    private final Optional<KmipServer> kmip;
    private final OptionalInt kmipPort;
    private final Optional<KmipHttpsServer> kmipHttps;
    private final OptionalInt kmipHttpsPort;
    private final Optional<DevFacts> devFacts;

    private TresorServer(KmsCore core, Vertx vertx, RestServer rest, Optional<KmipServer> kmip, OptionalInt kmipPort,
                         Optional<KmipHttpsServer> kmipHttps, OptionalInt kmipHttpsPort, Optional<DevFacts> devFacts) {
        this.core = core;
        this.vertx = vertx;
        this.rest = rest;
        this.kmip = kmip;
        this.kmipPort = kmipPort;
        this.kmipHttps = kmipHttps;
        this.kmipHttpsPort = kmipHttpsPort;
        this.devFacts = devFacts;
    }

    static TresorServer start(ServerConfig config, Clock clock) {
        createDirectory(config.dataDir());
        Optional<DevFiles> dev = config.dev() ? Optional.of(DevFiles.in(config.dataDir())) : Optional.empty();
        Optional<DevBootstrap> bootstrap = dev.map(files -> new DevBootstrap(files, clock));
        bootstrap.ifPresent(DevBootstrap::prepareTls);
        TlsFiles restTls = config.restTls()
                .orElseGet(() -> new TlsFiles(dev.orElseThrow().restCertificate(), dev.orElseThrow().restKey()));
        Optional<TlsFiles> kmipTls = config.kmipTls()
                .or(() -> dev.map(files -> new TlsFiles(files.kmipCertificate(), files.kmipKey())));
        Optional<Path> kmipClientCa = config.kmipClientCa().or(() -> dev.map(DevFiles::caCertificate));

        KmsCore core = KmsCore.open(KmsCore.Options.defaults(config.dataDir(), config.sealType() == SealType.DEV)
                .withClock(clock).withAttestation(attestation(config, clock)));
        RestMetrics metrics = RestMetrics.create();
        Vertx vertx = metrics.newVertx(new VertxOptions());
        try {
            // before any listener opens: a dev seal's pass runs now, a Shamir seal's inside its unseal
            core.backfillUsePeriods(KmipDatesBackfill.RULE, KmipDatesBackfill::storedPeriods);
            RestOptions restOptions = RestOptions.defaults()
                    .withHost(config.listenHost())
                    .withPort(config.restPort())
                    .withTls(restTls.privateKey(), restTls.certificate())
                    .withBodyLimit(config.bodyLimitBytes());
            if (config.kbsDefaultProject().isPresent()) {
                restOptions = restOptions.withKbsDefaultTenant(new TenantId(config.kbsDefaultProject().get(),
                        Regions.DEFAULT));
            }
            RestServer rest = new RestServer(vertx, core.keyManagement(), core.administration(), clock, restOptions,
                    metrics);
            await(rest.start(), START_TIMEOUT, "start the HTTPS listener on port " + config.restPort());

            MessageProcessor processor = kmipProcessor(core, clock, config.kmipLease());
            Optional<KmipServer> kmip = kmipTls.flatMap(tls -> kmipClientCa.map(ca -> new KmipServer(vertx,
                    kmipOptions(config, config.kmipPort(), tls, ca), processor)));
            OptionalInt kmipPort = kmip.isPresent()
                    ? OptionalInt.of(await(kmip.get().start(), START_TIMEOUT,
                            "start the KMIP listener on port " + config.kmipPort()))
                    : OptionalInt.empty();
            Optional<KmipHttpsServer> kmipHttps = Optional.empty();
            if (config.kmipHttpsPort().isPresent()) {
                if (kmip.isEmpty()) {
                    throw new IllegalStateException("kmip.https.port is set, but KMIP is off (no kmip.tls.client.ca)");
                }
                kmipHttps = Optional.of(new KmipHttpsServer(vertx, kmipOptions(config,
                        config.kmipHttpsPort().getAsInt(), kmipTls.orElseThrow(), kmipClientCa.orElseThrow()),
                        processor));
            }
            OptionalInt kmipHttpsPort = kmipHttps.isPresent()
                    ? OptionalInt.of(await(kmipHttps.get().start(), START_TIMEOUT,
                            "start the KMIP HTTPS listener on port " + config.kmipHttpsPort().getAsInt()))
                    : OptionalInt.empty();

            Optional<DevFacts> facts = bootstrap.map(devBootstrap -> devBootstrap.provision(core.administration(),
                    URI.create("https://" + DEV_HOST + ":" + rest.actualPort()), DEV_HOST, kmipPort.orElseThrow(),
                    config.callsPerHour()));
            return new TresorServer(core, vertx, rest, kmip, kmipPort, kmipHttps, kmipHttpsPort, facts);
        } catch (RuntimeException e) {
            try {
                await(vertx.close(), STOP_TIMEOUT, "stop the event loops");
            } finally {
                core.close();
            }
            throw e;
        }
    }

    /**
     * With simulation allowed, a simulated SEV-SNP platform (fresh chain per start, measurement
     * {@link #SIMULATED_MEASUREMENT}) whose root the verifiers pin; loudly announced.
     */
    private static AttestationOptions attestation(ServerConfig config, Clock clock) {
        AttestationInputs inputs = config.attestation();
        LOG.info("attestation: " + inputs.trust().amdCertificates().size() + " AMD and "
                + inputs.trust().intelCertificates().size() + " Intel certificates, " + inputs.collateral().size()
                + " Intel collateral sets, " + inputs.trust().tokenIssuers().size() + " token issuers configured");
        if (!config.allowSimulatedAttestation()) {
            return new AttestationOptions(inputs.trust(), false, Optional.empty(), inputs.collateral());
        }
        LOG.warning("*** attestation.allowSimulated: evidence from the SIMULATED TEE is accepted. NOT FOR PRODUCTION. ***");
        return new AttestationOptions(inputs.trust(), true, Optional.of(SimulatedSnp.create(
                SimulatedSnp.Launch.milan(SIMULATED_MEASUREMENT), clock.instant(), new SecureRandom())),
                inputs.collateral());
    }

    private static KmipServerOptions kmipOptions(ServerConfig config, int port, TlsFiles tls, Path clientCa) {
        return new KmipServerOptions(config.listenHost(), port,
                new PemKeyCertOptions().setCertPath(tls.certificate().toString())
                        .setKeyPath(tls.privateKey().toString()),
                new PemTrustOptions().addCertPath(clientCa.toString()),
                TtlvLimits.DEFAULT, KMIP_IDLE_TIMEOUT);
    }

    /** KMIP callers are the registered client certificates, each in its project's default region. */
    private static MessageProcessor kmipProcessor(KmsCore core, Clock clock, Lease lease) {
        Administration administration = core.administration();
        ClientAuthenticator authenticator = certificate -> {
            Grant grant = administration.authenticateClientCertificate(certificate);
            String projectId = grant.projectId().orElseThrow(() -> KmsError.of(ErrorCode.UNAUTHENTICATED,
                    "a KMIP client certificate must belong to a project"));
            return grant.callerIn(new TenantId(projectId, Regions.DEFAULT));
        };
        return new MessageProcessor(Operations.standard(lease), core.keyManagement(), authenticator, TtlvLimits.DEFAULT,
                clock);
    }

    int restPort() {
        return rest.actualPort();
    }

    /** The KMIP port, unless KMIP is off (no client CA configured outside --dev). */
    OptionalInt kmipPort() {
        return kmipPort;
    }

    /** The KMIP HTTPS port, if {@code kmip.https.port} is set. */
    OptionalInt kmipHttpsPort() {
        return kmipHttpsPort;
    }

    Optional<DevFacts> devFacts() {
        return devFacts;
    }

    SealStatus sealStatus() {
        return core.administration().sealStatus();
    }

    /** Stops the listeners (HTTPS lets running requests finish), the event loops, then the store. */
    void stop() {
        try {
            await(rest.stop(), STOP_TIMEOUT, "stop the HTTPS listener");
            if (kmip.isPresent()) {
                await(kmip.get().stop(), STOP_TIMEOUT, "stop the KMIP listener");
            }
            if (kmipHttps.isPresent()) {
                await(kmipHttps.get().stop(), STOP_TIMEOUT, "stop the KMIP HTTPS listener");
            }
            await(vertx.close(), STOP_TIMEOUT, "stop the event loops");
        } finally {
            core.close();
        }
    }

    private static void createDirectory(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + dataDir, e);
        }
    }

    private static <T> T await(Future<T> future, Duration timeout, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + " within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }
}
