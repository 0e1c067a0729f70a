package dev.tresor.kms.rest;

import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.Caller;
import io.vertx.core.Future;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every {@code /v1/projects/{p}/regions/{r}} route shares: its prelude (bearer
 * authentication, the tenant of the path, rate-limit headers), and one core call for the caller
 * on a worker that notes the instance's budget and answers on the event loop; any failure goes to
 * {@link ErrorResponses}.
 */
final class TenantCalls {
    private final Blocking blocking;
    private final KeyManagement keys;
    private final BearerAuth auth;
    private final TenantScope scope;
    private final RateLimitHeaders headers;

    TenantCalls(Blocking blocking, KeyManagement keys, BearerAuth auth, TenantScope scope, RateLimitHeaders headers) {
        this.blocking = blocking;
        this.keys = keys;
        this.auth = auth;
        this.scope = scope;
        this.headers = headers;
    }

    /**
     * Puts the prelude on one route. It is part of each route rather than a wildcard route of its
     * own, so that a request passes one route and metrics name it by that route's template.
     */
    Route guard(Route route) {
        return route.handler(auth).handler(scope).handler(headers);
    }

    <T> void run(RoutingContext ctx, Function<Caller, T> call, Consumer<T> reply) {
        Caller caller = TenantScope.caller(ctx);
        answer(ctx, blocking.run(() -> counted(ctx, caller, call)), reply);
    }

    /** For calls whose answer is a status alone (204, DeleteKey's 202). */
    void runEmpty(RoutingContext ctx, Consumer<Caller> call, int status) {
        Caller caller = TenantScope.caller(ctx);
        answer(ctx, blocking.run(() -> counted(ctx, caller, c -> {
            call.accept(c);
            return status;
        })), done -> Replies.empty(ctx, status));
    }

    /** For calls that may generate key material (creates, rotation): the key-generation pool. */
    <T> void generate(RoutingContext ctx, Function<Caller, T> call, Consumer<T> reply) {
        Caller caller = TenantScope.caller(ctx);
        answer(ctx, blocking.generate(() -> counted(ctx, caller, call)), reply);
    }

    private <T> T counted(RoutingContext ctx, Caller caller, Function<Caller, T> call) {
        try {
            return call.apply(caller);
        } finally {
            rememberBudget(ctx, caller);
        }
    }

    /** An instance whose project does not exist has no budget, and its answer no headers. */
    private void rememberBudget(RoutingContext ctx, Caller caller) {
        try {
            RateLimitHeaders.remember(ctx, keys.rateLimitStatus(caller.tenant()));
        } catch (KmsError e) {
            // the call's own outcome (NOT_FOUND, SEALED ...) is the answer
        }
    }

    private static <T> void answer(RoutingContext ctx, Future<T> result, Consumer<T> reply) {
        result.onSuccess(reply::accept).onFailure(ctx::fail);
    }
}
