package dev.tresor.kms.kmip.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * KMIP over TLS: TLS 1.2 and 1.3 only, a client certificate signed by the client CA required
 * before a single byte of TTLV is read, one {@link KmipConnection} per socket. Requests run on a
 * pool of its own, except a lone Encrypt or Decrypt that needs nothing which waits: the event loop
 * answers that itself ({@link MessageProcessor#process(byte[], java.security.cert.X509Certificate,
 * java.util.concurrent.Executor)}). A read-only item does not hold its worker while its record reaches the disk
 * (see {@link MessageProcessor#process}), but a worker still blocks on RSA key generation, on a
 * mutation's synced write and on every batch item but the last; so the pool is sized for those
 * waits, not for the cores: at least {@value #MIN_WORKERS}, or {@value #WORKERS_PER_CORE} per core.
 *
 * <p>A Vert.x server serves all its connections on the one event loop it was started on, so the
 * listener is one server per core, each on an event loop of its own, sharing the port: Vert.x
 * hands new connections to them in turn, and TLS and framing are spread over the cores.
 */
public final class KmipServer {
    /** How long {@link #stop()} lets requests in flight finish. */
    public static final Duration DRAIN_GRACE = Duration.ofSeconds(10);
    private static final int MIN_WORKERS = 16;
    private static final int WORKERS_PER_CORE = 4;
    private static final Duration IDLE_WORKER_LIFETIME = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final KmipServerOptions options;
    private final MessageProcessor processor;
    private final ThreadPoolExecutor workers;
    private final List<NetServer> servers = new CopyOnWriteArrayList<>();
    private final List<String> deployments = new CopyOnWriteArrayList<>();

    public KmipServer(Vertx vertx, KmipServerOptions options, MessageProcessor processor) {
        this.vertx = vertx;
        this.options = options;
        this.processor = processor;
        int size = Math.max(MIN_WORKERS, WORKERS_PER_CORE * Runtime.getRuntime().availableProcessors());
        AtomicInteger count = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(size, size, IDLE_WORKER_LIFETIME.toMillis(), TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread worker = new Thread(task, "tresor-kmip-worker-" + count.incrementAndGet());
                    worker.setDaemon(true);
                    return worker;
                });
        workers.allowCoreThreadTimeOut(true);
    }

    /** Listens on the configured port (0: a free one) with one server per core; the future gives the port. */
    public Future<Integer> start() {
        int port = options.port() == 0 ? sharedFreePortKey(vertx) : options.port();
        int instances = Runtime.getRuntime().availableProcessors();
        return listenOnOwnEventLoop(port).compose(bound -> Future.all(IntStream.range(1, instances)
                .mapToObj(i -> listenOnOwnEventLoop(port)).toList()).map(bound));
    }

    /**
     * Vert.x shares one bound port among its servers that listen on the same port number; a free
     * port only when asked for as the same negative number, which must be one no other listener
     * on this Vert.x uses (Vert.x would otherwise hand this listener's connections to that one's
     * servers). The count lives in the Vert.x instance, so that the REST listener draws from the
     * same one: kms-rest's RestServer holds a copy of these lines, since the front-ends cannot
     * depend on each other and kms-core knows no transport.
     */
    private static int sharedFreePortKey(Vertx vertx) {
        return -vertx.sharedData().<String, Integer>getLocalMap("tresor.shared-free-port-keys")
                .merge("issued", 1, Integer::sum);
    }

    /** One server on an event loop context of its own (a deployment), listening on {@code port}. */
    private Future<Integer> listenOnOwnEventLoop(int port) {
        Listener listener = new Listener(options.applyTo(new NetServerOptions()).setPort(port));
        return vertx.deployVerticle(listener).map(deployment -> {
            deployments.add(deployment);
            return listener.server.actualPort();
        });
    }

    /** Deployed once per server, so that each gets its own event loop. */
    private final class Listener extends VerticleBase {
        private final NetServerOptions listenerOptions;
        private NetServer server;

        Listener(NetServerOptions listenerOptions) {
            this.listenerOptions = listenerOptions;
        }

        @Override
        public Future<?> start() {
            server = vertx.createNetServer(listenerOptions)
                    .connectHandler(socket -> KmipConnection.serve(workers, socket, processor, options.limits()));
            servers.add(server);
            return server.listen();
        }
    }

    /** Stops accepting connections and drains: requests in flight are answered, for up to {@link #DRAIN_GRACE}; a second stop does nothing. */
    public Future<Void> stop() {
        return stop(DRAIN_GRACE);
    }

    /** As {@link #stop()}, waiting at most {@code grace} for requests in flight before closing their connections. */
    public Future<Void> stop(Duration grace) {
        List<NetServer> listening = List.copyOf(servers);
        List<String> deployed = List.copyOf(deployments);
        servers.clear();
        deployments.clear();
        List<Future<Void>> shutdowns = listening.stream()
                .map(server -> server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)).toList();
        return Future.join(shutdowns)
                .transform(ignored -> Future.join(deployed.stream().map(vertx::undeploy).toList()))
                .<Void>mapEmpty()
                .andThen(done -> workers.shutdown());
    }
}
