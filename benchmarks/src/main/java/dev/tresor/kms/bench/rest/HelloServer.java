package dev.tresor.kms.bench.rest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling for {@code benchmarks/rest-load.sh}: the smallest Vert.x HTTPS server, with the TLS
 * setup of Tresor's REST listener (PEM certificate and PKCS#8 key, TLS 1.2 and 1.3 only), answering
 * every request with a fixed JSON body. It prints {@code hello: listening on <port>} once ready and
 * stops on SIGTERM.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.tresor.kms.bench.rest.HelloServer
 * <cert.pem> <key.pem> [port, 0 = any free one] [event loops, default 2]}
 */
public final class HelloServer extends VerticleBase {
    private static final String HOST = "127.0.0.1";
    private static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final Buffer BODY = Buffer.buffer("{\"message\":\"hello\"}", StandardCharsets.UTF_8.name());

    private final HttpServerOptions options;

    private HelloServer(HttpServerOptions options) {
        this.options = options;
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(options)
                .requestHandler(request -> request.response()
                        .putHeader("Content-Type", "application/json")
                        .end(BODY))
                .listen();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 4) {
            System.err.println("usage: HelloServer <cert.pem> <key.pem> [port] [event loops]");
            System.exit(2);
        }
        Path certificate = readable(args[0]);
        Path key = readable(args[1]);
        int port = args.length > 2 ? port(args[2]) : 0;
        int eventLoops = args.length > 3 ? eventLoops(args[3]) : 2;

        // One server per event loop on the same port: Vert.x spreads the connections among them.
        HttpServerOptions options = new HttpServerOptions()
                .setHost(HOST)
                .setPort(port == 0 ? freePort() : port)
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certificate.toString())
                        .setKeyPath(key.toString()))
                .setEnabledSecureTransportProtocols(TLS_PROTOCOLS);
        Vertx vertx = Vertx.vertx();
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> vertx.close().await(), "hello-stop"));
        vertx.deployVerticle(() -> new HelloServer(options), new DeploymentOptions().setInstances(eventLoops))
                .await(30, TimeUnit.SECONDS);
        System.out.println("hello: listening on " + options.getPort());
    }

    private static Path readable(String file) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        return path;
    }

    private static int port(String value) {
        int port = Integer.parseInt(value);
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + value);
        }
        return port;
    }

    private static int eventLoops(String value) {
        int loops = Integer.parseInt(value);
        if (loops < 1 || loops > 64) {
            throw new IllegalArgumentException("event loops must be 1..64, got " + value);
        }
        return loops;
    }

    /** Several instances cannot share port 0, so pick a free port first. */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }
}
