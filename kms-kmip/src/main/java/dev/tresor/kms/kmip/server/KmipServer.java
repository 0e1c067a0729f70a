package dev.tresor.kms.kmip.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * KMIP over TLS: TLS 1.2 and 1.3 only, a client certificate signed by the client CA required
 * before a single byte of TTLV is read, one {@link KmipConnection} per socket.
 */
public final class KmipServer {
    /** How long {@link #stop()} lets requests in flight finish. */
    public static final Duration DRAIN_GRACE = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final KmipServerOptions options;
    private final MessageProcessor processor;
    private NetServer server;

    public KmipServer(Vertx vertx, KmipServerOptions options, MessageProcessor processor) {
        this.vertx = vertx;
        this.options = options;
        this.processor = processor;
    }

    public Future<Integer> start() {
        NetServerOptions netOptions = new NetServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setSsl(true)
                .setKeyCertOptions(options.serverCertificate())
                .setTrustOptions(options.clientCa())
                .setClientAuth(ClientAuth.REQUIRED)
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setIdleTimeout((int) options.idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        server = vertx.createNetServer(netOptions)
                .connectHandler(socket -> KmipConnection.serve(vertx, socket, processor, options.limits()));
        return server.listen().map(NetServer::actualPort);
    }

    /** Stops accepting connections and drains: requests in flight are answered, for up to {@link #DRAIN_GRACE}. */
    public Future<Void> stop() {
        return stop(DRAIN_GRACE);
    }

    /** As {@link #stop()}, waiting at most {@code grace} for requests in flight before closing their connections. */
    public Future<Void> stop(Duration grace) {
        return server == null ? Future.succeededFuture() : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
    }
}
