package dev.tresor.kms.rest;

import dev.tresor.kms.rest.kbs.KbsRoutes;
import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.KeyManagement;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The REST front-end: the STACKIT-compatible KMS API, Tresor's extensions and the admin API on
 * one listener. Cross-cutting handlers come first (body limit with uploads off, no-store
 * caching, bearer authentication and the tenant of the path, rate-limit headers), then one route
 * table per resource, then the single error mapping.
 */
public final class RestServer {
    static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    /** Long enough for an RSA-4096 key generation in flight. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);
    private static final int KEY_GENERATION_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors() / 2);

    private final Vertx vertx;
    private final RestOptions options;
    private final Blocking blocking;
    private final Router router;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private volatile String deployment;
    private Future<Void> stopping;

    public RestServer(Vertx vertx, KeyManagement keys, Administration admin, Clock clock, RestOptions options,
                      RestMetrics metrics) {
        this.vertx = Objects.requireNonNull(vertx);
        this.options = Objects.requireNonNull(options);
        this.blocking = new Blocking(vertx, KEY_GENERATION_THREADS);
        this.router = router(keys, admin, clock, metrics);
    }

    private Router router(KeyManagement keys, Administration admin, Clock clock, RestMetrics metrics) {
        Router r = Router.router(vertx);
        r.route().handler(BodyHandler.create(false)
                .setBodyLimit(options.bodyLimit())
                .setMergeFormAttributes(false));
        r.route().handler(ctx -> {
            ctx.response().putHeader("Cache-Control", "no-store");
            ctx.next();
        });

        new HealthRoutes(admin, blocking).mount(r);
        new OpenApiDocument().mount(r);
        new WebUiRoutes().mount(r);
        metrics.mount(r, admin, keys, blocking);

        BearerAuth auth = new BearerAuth(admin, blocking);
        new AdminRoutes(admin, blocking, auth).mount(r);

        TenantCalls calls = new TenantCalls(blocking, keys, auth, new TenantScope(options.regions()),
                new RateLimitHeaders(clock));
        new KeyRingRoutes(keys, calls).mount(r);
        new KeyRoutes(keys, calls).mount(r);
        new VersionRoutes(keys, calls).mount(r);
        new CryptoRoutes(keys, calls, options.bodyLimit()).mount(r);
        new WrappingKeyRoutes(keys, calls, clock).mount(r);
        new ExportRoutes(keys, calls).mount(r);
        new AttestationRoutes(keys, calls, options.bodyLimit()).mount(r);
        new KbsRoutes(keys, blocking, options.regions(), options.kbsDefaultTenant(), clock).mount(r);

        ErrorResponses errors = new ErrorResponses(metrics, options.bodyLimit());
        r.route().failureHandler(errors::handle);
        for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
            r.errorHandler(status, errors::handle);
        }
        return r;
    }

    /**
     * Listens on the configured port (0 = any free one), HTTPS with TLS 1.2/1.3 when TLS files are
     * set; the future gives the port. A Vert.x server serves all its connections on the one event
     * loop it was started on, so the listener is one server per core: a verticle deployed once per
     * core, each instance on an event loop of its own with a server on the shared port, to which
     * Vert.x hands new connections in turn. They share the router: its handlers hold no state of
     * their own.
     */
    public Future<Integer> start() {
        HttpServerOptions http = new HttpServerOptions().setHost(options.host())
                .setPort(options.port() == 0 ? sharedFreePortKey(vertx) : options.port());
        if (options.tls()) {
            http.setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .setKeyPath(options.tlsKey().orElseThrow().toString())
                            .setCertPath(options.tlsCertificate().orElseThrow().toString()))
                    .setEnabledSecureTransportProtocols(TLS_PROTOCOLS);
        }
        return vertx.deployVerticle(() -> new Listener(http),
                        new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
                .map(id -> {
                    deployment = id;
                    return actualPort();
                });
    }

    /**
     * Vert.x shares one bound port among its servers that listen on the same port number; a free
     * port only when asked for as the same negative number, which must be one no other listener
     * on this Vert.x uses (Vert.x would otherwise hand this listener's connections to that one's
     * servers). The count lives in the Vert.x instance, so that the KMIP listener draws from the
     * same one: kms-kmip's KmipServer holds a copy of these lines, since the front-ends cannot
     * depend on each other and kms-core knows no transport.
     */
    private static int sharedFreePortKey(Vertx vertx) {
        return -vertx.sharedData().<String, Integer>getLocalMap("tresor.shared-free-port-keys")
                .merge("issued", 1, Integer::sum);
    }

    /** Deployed once per core, so that each server gets its own event loop. */
    private final class Listener extends VerticleBase {
        private final HttpServerOptions http;

        Listener(HttpServerOptions http) {
            this.http = http;
        }

        @Override
        public Future<?> start() {
            HttpServer server = vertx.createHttpServer(http).requestHandler(router);
            servers.add(server);
            return server.listen();
        }
    }

    public int actualPort() {
        if (servers.isEmpty()) {
            throw new IllegalStateException("the REST server has not started");
        }
        return servers.get(0).actualPort();
    }

    /**
     * Stops accepting connections, lets in-flight requests finish (for at most {@link #SHUTDOWN_GRACE}),
     * then closes the connections, undeploys the listeners and releases the key-generation workers.
     * Later calls answer the same future.
     */
    public synchronized Future<Void> stop() {
        if (stopping == null) {
            List<Future<Void>> shutdowns = servers.stream()
                    .map(server -> server.shutdown(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)).toList();
            stopping = Future.join(shutdowns)
                    .transform(closed -> deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment))
                    .transform(undeployed -> blocking.close());
        }
        return stopping;
    }

    Router router() {
        return router;
    }
}
