package dev.tresor.kms.kmip.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * KMIP over TLS: TLS 1.2 and 1.3 only, a client certificate signed by the client CA required
 * before a single byte of TTLV is read, one {@link KmipConnection} per socket. Requests run on a
 * small pool of its own, a few threads per core: their work is CPU-bound, and a worker never waits
 * for the disk (see {@link MessageProcessor#process}), so more threads would only add hand-offs.
 */
public final class KmipServer {
    /** How long {@link #stop()} lets requests in flight finish. */
    public static final Duration DRAIN_GRACE = Duration.ofSeconds(10);
    private static final int WORKERS_PER_CORE = 2;
    private static final Duration IDLE_WORKER_LIFETIME = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final KmipServerOptions options;
    private final MessageProcessor processor;
    private final ThreadPoolExecutor workers;
    private NetServer server;

    public KmipServer(Vertx vertx, KmipServerOptions options, MessageProcessor processor) {
        this.vertx = vertx;
        this.options = options;
        this.processor = processor;
        int size = WORKERS_PER_CORE * Runtime.getRuntime().availableProcessors();
        AtomicInteger count = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(size, size, IDLE_WORKER_LIFETIME.toMillis(), TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread worker = new Thread(task, "tresor-kmip-worker-" + count.incrementAndGet());
                    worker.setDaemon(true);
                    return worker;
                });
        workers.allowCoreThreadTimeOut(true);
    }

    public Future<Integer> start() {
        server = vertx.createNetServer(options.applyTo(new NetServerOptions()))
                .connectHandler(socket -> KmipConnection.serve(workers, socket, processor, options.limits()));
        return server.listen().map(NetServer::actualPort);
    }

    /** Stops accepting connections and drains: requests in flight are answered, for up to {@link #DRAIN_GRACE}. */
    public Future<Void> stop() {
        return stop(DRAIN_GRACE);
    }

    /** As {@link #stop()}, waiting at most {@code grace} for requests in flight before closing their connections. */
    public Future<Void> stop(Duration grace) {
        Future<Void> stopped = server == null ? Future.succeededFuture()
                : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
        return stopped.andThen(done -> workers.shutdown());
    }
}
