package dev.tresor.kms.server;

import dev.tresor.kms.rest.RestMetrics;
import dev.tresor.kms.rest.RestOptions;
import dev.tresor.kms.rest.RestServer;
import dev.tresor.kms.seal.SealType;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.config.TlsFiles;
import dev.tresor.kms.server.dev.DevBootstrap;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.service.SealStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running server. Start-up order: data dir, (dev) TLS files, core (store and seal), REST
 * listener, (dev) project, token and client certificate. {@link #stop} reverses it: listeners
 * first, so no call reaches a closing store.
 */
final class TresorServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String DEV_HOST = "localhost";

    private final KmsCore core;
    private final Vertx vertx;
    private final RestServer rest;
    private final Optional<DevFacts> devFacts;

    private TresorServer(KmsCore core, Vertx vertx, RestServer rest, Optional<DevFacts> devFacts) {
        this.core = core;
        this.vertx = vertx;
        this.rest = rest;
        this.devFacts = devFacts;
    }

    static TresorServer start(ServerConfig config, Clock clock) {
        createDirectory(config);
        Optional<DevBootstrap> dev = config.dev()
                ? Optional.of(new DevBootstrap(DevFiles.in(config.dataDir())))
                : Optional.empty();
        dev.ifPresent(bootstrap -> bootstrap.prepareTls(clock));
        TlsFiles restTls = config.restTls().orElseGet(() -> {
            DevFiles files = dev.orElseThrow().files();
            return new TlsFiles(files.restCertificate(), files.restKey());
        });
        KmsCore core = KmsCore.open(KmsCore.Options.defaults(config.dataDir(), config.sealType() == SealType.DEV)
                .withClock(clock));
        Vertx vertx = null;
        try {
            RestMetrics metrics = RestMetrics.create();
            vertx = metrics.newVertx(new VertxOptions());
            RestOptions restOptions = RestOptions.defaults()
                    .withHost(config.listenHost())
                    .withPort(config.restPort())
                    .withTls(restTls.privateKey(), restTls.certificate())
                    .withBodyLimit(config.bodyLimitBytes());
            RestServer rest = new RestServer(vertx, core.keyManagement(), core.administration(), clock, restOptions,
                    metrics);
            await(rest.start(), START_TIMEOUT, "start the HTTPS listener on port " + config.restPort());
            Optional<DevFacts> facts = dev.map(bootstrap -> bootstrap.provision(core.administration(),
                    URI.create("https://" + DEV_HOST + ":" + rest.actualPort()), DEV_HOST, config.kmipPort(),
                    config.callsPerHour()));
            return new TresorServer(core, vertx, rest, facts);
        } catch (RuntimeException e) {
            if (vertx != null) {
                vertx.close();
            }
            core.close();
            throw e;
        }
    }

    int restPort() {
        return rest.actualPort();
    }

    Optional<DevFacts> devFacts() {
        return devFacts;
    }

    SealStatus sealStatus() {
        return core.administration().sealStatus();
    }

    /** Stops accepting, lets running requests finish, then closes the store. */
    void stop() {
        try {
            await(rest.stop(), STOP_TIMEOUT, "stop the HTTPS listener");
            await(vertx.close(), STOP_TIMEOUT, "stop the event loops");
        } finally {
            core.close();
        }
    }

    private static void createDirectory(ServerConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + config.dataDir(), e);
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
