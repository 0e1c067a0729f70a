package dev.tresor.kms.rest;

import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.Caller;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs one core call for the caller of a {@code /v1/projects/{p}/regions/{r}} route on a worker,
 * notes the instance's budget for {@link RateLimitHeaders}, and answers on the event loop; any
 * failure goes to {@link ErrorResponses}.
 */
final class TenantCalls {
    private final Blocking blocking;
    private final KeyManagement keys;

    TenantCalls(Blocking blocking, KeyManagement keys) {
        this.blocking = blocking;
        this.keys = keys;
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
