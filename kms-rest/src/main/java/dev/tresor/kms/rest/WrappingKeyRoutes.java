package dev.tresor.kms.rest;

import dev.tresor.kms.key.WrappingAlgorithm;
import dev.tresor.kms.key.WrappingKey;
import dev.tresor.kms.service.CreateWrappingKey;
import dev.tresor.kms.service.KeyManagement;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/** ListWrappingKeys, CreateWrappingKey, GetWrappingKey, DeleteWrappingKey (BYOK). */
final class WrappingKeyRoutes {
    private final KeyManagement keys;
    private final TenantCalls calls;
    private final Clock clock;

    WrappingKeyRoutes(KeyManagement keys, TenantCalls calls, Clock clock) {
        this.keys = keys;
        this.calls = calls;
        this.clock = clock;
    }

    void mount(Router router) {
        calls.guard(router.get(Paths.WRAPPING_KEYS)).handler(this::list);
        calls.guard(router.post(Paths.WRAPPING_KEYS)).handler(this::create);
        calls.guard(router.get(Paths.WRAPPING_KEY)).handler(this::get);
        calls.guard(router.delete(Paths.WRAPPING_KEY)).handler(this::delete);
    }

    private void list(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        calls.run(ctx, caller -> keys.listWrappingKeys(caller, keyRingId), list -> Replies.json(ctx, 200,
                new JsonObject().put("wrappingKeys", StackitJson.array(list, this::representation))));
    }

    private void create(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        JsonBody body = JsonBody.of(ctx);
        CreateWrappingKey request = new CreateWrappingKey(keyRingId, body.displayName(), body.description(),
                body.enumValue("algorithm", WrappingAlgorithm.values(), WrappingAlgorithm::wireName),
                body.enumValue("purpose", WrappingKey.Purpose.values(), WrappingKey.Purpose::wireName),
                KeyRoutes.protection(body), KeyRoutes.accessScope(body));
        calls.generate(ctx, caller -> keys.createWrappingKey(caller, request),
                key -> Replies.json(ctx, 202, representation(key)));
    }

    private void get(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        String wrappingKeyId = PathParams.uuid(ctx, "wrappingKeyId");
        calls.run(ctx, caller -> keys.getWrappingKey(caller, keyRingId, wrappingKeyId),
                key -> Replies.json(ctx, 200, representation(key)));
    }

    private void delete(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        String wrappingKeyId = PathParams.uuid(ctx, "wrappingKeyId");
        calls.runEmpty(ctx, caller -> keys.deleteWrappingKey(caller, keyRingId, wrappingKeyId), 204);
    }

    private JsonObject representation(WrappingKey key) {
        return StackitJson.wrappingKey(key, clock.instant());
    }
}
