package dev.tresor.kms.kmip.server;

import dev.tresor.kms.service.KmsError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * KMIP over HTTPS (the KMIP HTTPS, JSON and XML profiles): {@code POST /kmip} with a binary TTLV
 * ({@code application/octet-stream}), JSON ({@code application/json}) or XML ({@code text/xml})
 * message, answered in the same encoding. Everything else is as on the TLS listener: TLS 1.2 and
 * 1.3 with a client certificate required (mapped to a project and role by the same
 * {@link ClientAuthenticator}), the same {@link MessageProcessor} with its budget and audit, and
 * the same message limits; a body over the size limit is refused before it is buffered.
 */
public final class KmipHttpsServer {
    public static final String PATH = "/kmip";
    private static final Logger LOG = Logger.getLogger(KmipHttpsServer.class.getName());
    /** How much of a refused body is read and dropped, and for how long, before the connection is cut. */
    private static final long DRAIN_BYTES = 1 << 20;
    private static final Duration DRAIN_TIME = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final KmipServerOptions options;
    private final MessageProcessor processor;
    private HttpServer server;

    public KmipHttpsServer(Vertx vertx, KmipServerOptions options, MessageProcessor processor) {
        this.vertx = vertx;
        this.options = options;
        this.processor = processor;
    }

    public Future<Integer> start() {
        server = vertx.createHttpServer(options.applyTo(new HttpServerOptions())).requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    /** Stops accepting and lets requests in flight finish for up to {@link KmipServer#DRAIN_GRACE}. */
    public Future<Void> stop() {
        return stop(KmipServer.DRAIN_GRACE);
    }

    public Future<Void> stop(Duration grace) {
        return server == null ? Future.succeededFuture() : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void handle(HttpServerRequest request) {
        if (!request.path().equals(PATH)) {
            refuse(request, 404, "KMIP is served at POST " + PATH);
            return;
        }
        if (request.method() != HttpMethod.POST) {
            request.response().putHeader("Allow", "POST");
            refuse(request, 405, "KMIP messages are sent with POST");
            return;
        }
        Optional<HttpEncoding> encoding = HttpEncoding.of(request.getHeader("Content-Type"));
        if (encoding.isEmpty()) {
            refuse(request, 415, "Content-Type must be application/octet-stream (TTLV), application/json or text/xml");
            return;
        }
        int limit = options.limits().maxMessageBytes();
        String declared = request.getHeader("Content-Length");
        if (declared != null && (declared.isEmpty() || !declared.chars().allMatch(Character::isDigit))) {
            refuse(request, 400, "Content-Length is not a number");
            return;
        }
        if (declared != null && (declared.length() > 10 || Long.parseLong(declared) > limit)) {
            refuseTooLarge(request, limit);
            return;
        }
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) request.connection().peerCertificates().get(0);
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            refuse(request, 401, "a client certificate is required");
            return;
        }
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > limit) {
                refuseTooLarge(request, limit);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(ignored -> answer(request, encoding.get(), body, certificate));
    }

    /**
     * Decodes the body and runs its items on a worker (never on the event loop: items may generate
     * RSA keys or wait for the disk); the processor's answer completes once its records are
     * durable, and is encoded on a worker again before it is sent.
     */
    private void answer(HttpServerRequest request, HttpEncoding encoding, Buffer body, X509Certificate certificate) {
        Context context = vertx.getOrCreateContext();
        vertx.executeBlocking(() -> decode(encoding, body), false)
                .compose(decoded -> decoded instanceof Decoded.Message message
                        ? vertx.executeBlocking(() -> processor.process(message.ttlv(), certificate), false)
                                .compose(processing -> Future.fromCompletionStage(processing, context))
                                .compose(answer -> vertx.executeBlocking(() -> new Reply(200, encoding.contentType(),
                                        encoding.fromTtlv(answer)), false))
                        : Future.succeededFuture(Reply.refusal(400, ((Decoded.Malformed) decoded).problem())))
                .onComplete(result -> {
                    if (result.succeeded()) {
                        send(request, result.result());
                    } else {
                        LOG.log(Level.SEVERE, "KMIP request processing failed", result.cause());
                        send(request, Reply.refusal(500, KmipErrors.INTERNAL_MESSAGE));
                    }
                });
    }

    /** A request body read as binary TTLV, or why it is not a KMIP message. */
    private sealed interface Decoded {
        record Message(byte[] ttlv) implements Decoded {
        }

        record Malformed(String problem) implements Decoded {
        }
    }

    private Decoded decode(HttpEncoding encoding, Buffer body) {
        try {
            return new Decoded.Message(encoding.toTtlv(body, options.limits()));
        } catch (KmsError e) {
            return new Decoded.Malformed("not a valid " + encoding + " message: " + e.getMessage());
        }
    }

    /** An HTTP answer: a KMIP message, or a plain-text refusal of what is not one. */
    private record Reply(int status, String contentType, Buffer body) {
        static Reply refusal(int status, String message) {
            return new Reply(status, "text/plain; charset=utf-8", Buffer.buffer(message + "\n"));
        }
    }

    private static void send(HttpServerRequest request, Reply reply) {
        request.response().setStatusCode(reply.status()).putHeader("Content-Type", reply.contentType())
                .putHeader("Cache-Control", "no-cache").end(reply.body());
    }

    private static void refuse(HttpServerRequest request, int status, String message) {
        send(request, Reply.refusal(status, message));
    }

    /**
     * Refuses a body over the limit and closes the connection once the client has sent the rest of
     * it, which is read and dropped, never kept: closing with unread bytes makes the kernel reset the
     * connection, and the client then loses the answer. A client that goes on sending past
     * {@link #DRAIN_BYTES} or {@link #DRAIN_TIME} is cut off.
     */
    private void refuseTooLarge(HttpServerRequest request, int limit) {
        HttpConnection connection = request.connection();
        long cutOff = vertx.setTimer(DRAIN_TIME.toMillis(), ignored -> connection.close());
        connection.closeHandler(ignored -> vertx.cancelTimer(cutOff));
        long[] dropped = {0};
        request.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > DRAIN_BYTES) {
                connection.close();
            }
        });
        request.endHandler(ignored -> connection.close());
        request.response().setStatusCode(413).putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Connection", "close").end("a KMIP message is at most " + limit + " bytes\n");
    }
}
