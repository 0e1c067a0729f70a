package dev.tresor.kms.rest;

import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.KeyManagement;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** ListKeyRings, CreateKeyRing, GetKeyRing, DeleteKeyRing. */
final class KeyRingRoutes {
    private final KeyManagement keys;
    private final TenantCalls calls;

    KeyRingRoutes(KeyManagement keys, TenantCalls calls) {
        this.keys = keys;
        this.calls = calls;
    }

    void mount(Router router) {
        calls.guard(router.get(Paths.KEY_RINGS)).handler(this::list);
        calls.guard(router.post(Paths.KEY_RINGS)).handler(this::create);
        calls.guard(router.get(Paths.KEY_RING)).handler(this::get);
        calls.guard(router.delete(Paths.KEY_RING)).handler(this::delete);
    }

    private void list(RoutingContext ctx) {
        calls.run(ctx, keys::listKeyRings, rings -> Replies.json(ctx, 200,
                new JsonObject().put("keyRings", StackitJson.array(rings, StackitJson::keyRing))));
    }

    private void create(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        CreateKeyRing request = new CreateKeyRing(body.displayName(), body.description());
        calls.run(ctx, caller -> keys.createKeyRing(caller, request),
                ring -> Replies.json(ctx, 202, StackitJson.keyRing(ring)));
    }

    private void get(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        calls.run(ctx, caller -> keys.getKeyRing(caller, keyRingId),
                ring -> Replies.json(ctx, 200, StackitJson.keyRing(ring)));
    }

    private void delete(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        calls.runEmpty(ctx, caller -> keys.deleteKeyRing(caller, keyRingId), 204);
    }
}
