package dev.tresor.kms.rest.kbs;

import dev.tresor.kms.rest.ErrorResponses;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The KBS error wire (RFC 7807 problem details as Trustee sends them):
 * {@code {"type": "https://github.com/confidential-containers/kbs/errors/<Kind>", "detail"}}.
 * Handshake failures ({@code auth}, {@code attest}) are 401 {@code AttestationError}; for a
 * resource, no or an ended or unattested session is 401 {@code TokenNotFound}, a refusal by the
 * key's terms 403 {@code PolicyDeny}, an unknown resource 404 {@code InvalidRequestPath}.
 */
final class KbsErrors implements Handler<RoutingContext> {
    static final String TYPE_PREFIX = "https://github.com/confidential-containers/kbs/errors/";
    private static final System.Logger LOG = System.getLogger(KbsErrors.class.getName());

    /** One answer: its HTTP status and problem kind. */
    record Problem(int status, String kind) {
    }

    /** The answer to {@code code} on a handshake route ({@code handshake}) or a resource route. */
    static Problem problem(ErrorCode code, boolean handshake) {
        return switch (code) {
            case NOT_FOUND -> new Problem(404, "InvalidRequestPath");
            case RATE_LIMITED -> new Problem(429, "TooManyRequests");
            case SEALED -> new Problem(503, "ServiceSealed");
            case INTERNAL -> new Problem(500, "InternalError");
            case UNAUTHENTICATED -> new Problem(401, handshake ? "AttestationError" : "TokenNotFound");
            case INVALID_ARGUMENT -> handshake ? new Problem(401, "AttestationError")
                    : new Problem(404, "InvalidRequestPath");
            case PERMISSION_DENIED, ATTESTATION_REQUIRED, ATTESTATION_FAILED, FAILED_PRECONDITION -> handshake
                    ? new Problem(401, "AttestationError") : new Problem(403, "PolicyDeny");
        };
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        boolean handshake = !ctx.request().path().contains(KbsRoutes.ROOT + "/resource/");
        Throwable failure = ctx.failure();
        if (failure instanceof KmsError error) {
            Problem problem = problem(error.code(), handshake);
            if (error.code() == ErrorCode.RATE_LIMITED) {
                long seconds = Math.max(1, (error.retryAfter().orElse(Duration.ofSeconds(1)).toMillis() + 999) / 1000);
                ctx.response().putHeader("Retry-After", Long.toString(seconds));
            }
            if (error.code() == ErrorCode.INTERNAL) {
                ErrorResponses.logInternal(ctx.request().path(), error);
            }
            send(ctx, problem, error.code() == ErrorCode.INTERNAL ? "internal error" : error.getMessage());
        } else if (failure != null) {
            LOG.log(Level.ERROR, "unexpected failure on " + ctx.request().path(), failure);
            send(ctx, new Problem(500, "InternalError"), "internal error");
        } else if (ctx.statusCode() == 413) {
            send(ctx, new Problem(413, "PayloadTooLarge"), "request body is too large");
        } else {
            send(ctx, new Problem(handshake ? 401 : 404, handshake ? "AttestationError" : "InvalidRequestPath"),
                    "bad request");
        }
    }

    private static void send(RoutingContext ctx, Problem problem, String detail) {
        ctx.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("type", TYPE_PREFIX + problem.kind()).put("detail", detail).encode());
    }
}
