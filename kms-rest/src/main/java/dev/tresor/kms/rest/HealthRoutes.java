package dev.tresor.kms.rest;

import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.Readiness;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Probes for orchestrators, without authentication and outside the rate limit: {@code /healthz}
 * answers while the process serves HTTP; {@code /readyz} only while the server is initialised,
 * unsealed and its store answers and writes (a failed commit stops it until a restart).
 */
final class HealthRoutes {
    private final Administration admin;
    private final Blocking blocking;

    HealthRoutes(Administration admin, Blocking blocking) {
        this.admin = admin;
        this.blocking = blocking;
    }

    void mount(Router router) {
        router.get("/healthz").handler(ctx -> Replies.json(ctx, 200, new JsonObject().put("status", "live")));
        router.get("/readyz").handler(this::ready);
    }

    private void ready(RoutingContext ctx) {
        blocking.run(admin::readiness).onComplete(result -> {
            if (result.failed()) {
                Replies.json(ctx, 503, new JsonObject().put("message", "store unavailable"));
            } else if (result.result() == Readiness.READY) {
                Replies.json(ctx, 200, new JsonObject().put("status", "ready"));
            } else {
                Replies.json(ctx, 503, new JsonObject().put("message", result.result().description()));
            }
        });
    }
}
