package dev.tresor.kms.rest;

import dev.tresor.kms.limit.RateLimitStatus;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} (seconds until
 * the oldest counted call leaves the rolling hour) on every response to a counted call, refused
 * ones included. The budget is read right after the call, on the same worker.
 */
final class RateLimitHeaders implements Handler<RoutingContext> {
    private static final String STATUS = "tresor.rateLimit";

    private final Clock clock;

    RateLimitHeaders(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> {
            RateLimitStatus status = ctx.get(STATUS);
            if (status != null) {
                long reset = Math.max(0, Duration.between(clock.instant(), status.reset()).toMillis());
                ctx.response()
                        .putHeader("RateLimit-Limit", Long.toString(status.limit()))
                        .putHeader("RateLimit-Remaining", Long.toString(status.remaining()))
                        .putHeader("RateLimit-Reset", Long.toString((reset + 999) / 1000));
            }
        });
        ctx.next();
    }

    static void remember(RoutingContext ctx, RateLimitStatus status) {
        ctx.put(STATUS, status);
    }
}
