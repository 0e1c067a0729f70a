package dev.tresor.kms.rest;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Successful answers: a JSON body with a status, or a status alone (204, and DeleteKey's 202). */
final class Replies {
    static final String JSON = "application/json";

    private Replies() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
    }

    static void empty(RoutingContext ctx, int status) {
        ctx.response().setStatusCode(status).end();
    }
}
