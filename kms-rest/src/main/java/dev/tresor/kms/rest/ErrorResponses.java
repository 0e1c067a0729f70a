package dev.tresor.kms.rest;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The single translation of failures into HTTP: {@link KmsError} codes through one exhaustive
 * switch, route misses and oversize bodies from the router, anything unexpected as a generic 500
 * whose cause is logged here and never sent. Every error body is STACKIT's {@code {"message"}}.
 */
public final class ErrorResponses {
    private static final System.Logger LOG = System.getLogger(ErrorResponses.class.getName());
    static final String INTERNAL_MESSAGE = "internal error";

    private final RestMetrics metrics;
    private final int bodyLimit;

    ErrorResponses(RestMetrics metrics, int bodyLimit) {
        this.metrics = metrics;
        this.bodyLimit = bodyLimit;
    }

    /** The HTTP status of each error code; attestation failures are 403 (authenticated, but not allowed). */
    static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_ARGUMENT -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED, ATTESTATION_REQUIRED, ATTESTATION_FAILED -> 403;
            case NOT_FOUND -> 404;
            case FAILED_PRECONDITION -> 409;
            case RATE_LIMITED -> 429;
            case INTERNAL -> 500;
            case SEALED -> 503;
        };
    }

    /** The failure handler of the router, and the error handler of route misses. */
    void handle(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        Throwable failure = ctx.failure();
        if (failure instanceof KmsError error) {
            send(ctx, error);
        } else if (failure != null) {
            LOG.log(Level.ERROR, "unexpected failure on " + ctx.request().method() + " " + ctx.request().path(), failure);
            send(ctx, 500, INTERNAL_MESSAGE);
        } else {
            int status = ctx.statusCode();
            send(ctx, status, routerMessage(status));
        }
    }

    private void send(RoutingContext ctx, KmsError error) {
        ErrorCode code = error.code();
        switch (code) {
            case UNAUTHENTICATED -> ctx.response().putHeader("WWW-Authenticate", "Bearer");
            case RATE_LIMITED -> {
                metrics.rateLimitRefused();
                ctx.response().putHeader("Retry-After", Long.toString(
                        wholeSeconds(error.retryAfter().orElse(Duration.ofSeconds(1)))));
            }
            case INTERNAL -> logInternal(ctx.request().path(), error);
            default -> {
            }
        }
        send(ctx, status(code), code == ErrorCode.INTERNAL ? INTERNAL_MESSAGE : error.getMessage());
    }

    /**
     * Logs an INTERNAL error met on {@code path}, whose client is told only {@value #INTERNAL_MESSAGE}:
     * the error itself, not its cause, so what was added to it (a seal listener's failure) is printed with it.
     * The KBS routes' failure handler logs through here too.
     */
    public static void logInternal(String path, KmsError error) {
        LOG.log(Level.ERROR, "internal error on " + path + ": " + error.getMessage(), error);
    }

    private String routerMessage(int status) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 413 -> "request body exceeds " + bodyLimit + " bytes";
            case 415 -> "unsupported media type; send application/json";
            case 400 -> "bad request";
            default -> INTERNAL_MESSAGE;
        };
    }

    private static void send(RoutingContext ctx, int status, String message) {
        int code = status >= 400 && status <= 599 ? status : 500;
        ctx.response()
                .setStatusCode(code)
                .putHeader(HttpHeaders.CONTENT_TYPE, Replies.JSON)
                .end(new JsonObject().put("message", message).encode());
    }

    /** Whole seconds, rounded up, never below one: a client that waits this long is admitted. */
    static long wholeSeconds(Duration duration) {
        long millis = Math.max(0, duration.toMillis());
        return Math.max(1, (millis + 999) / 1000);
    }
}
