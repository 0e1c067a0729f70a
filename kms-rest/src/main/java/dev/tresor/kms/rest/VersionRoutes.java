package dev.tresor.kms.rest;

import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.VersionRef;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** ListVersions, GetVersion, DisableVersion, EnableVersion, DestroyVersion, RestoreVersion. */
final class VersionRoutes {
    private final KeyManagement keys;
    private final TenantCalls calls;

    VersionRoutes(KeyManagement keys, TenantCalls calls) {
        this.keys = keys;
        this.calls = calls;
    }

    void mount(Router router) {
        calls.guard(router.get(Paths.VERSIONS)).handler(this::list);
        calls.guard(router.get(Paths.VERSION)).handler(this::get);
        calls.guard(router.post(Paths.VERSION + "/disable")).handler(this::disable);
        calls.guard(router.post(Paths.VERSION + "/enable")).handler(this::enable);
        calls.guard(router.post(Paths.VERSION + "/destroy")).handler(this::destroy);
        calls.guard(router.post(Paths.VERSION + "/restore")).handler(this::restore);
    }

    static VersionRef versionRef(RoutingContext ctx) {
        return KeyRoutes.keyRef(ctx).version(PathParams.versionNumber(ctx));
    }

    private void list(RoutingContext ctx) {
        KeyRef ref = KeyRoutes.keyRef(ctx);
        calls.run(ctx, caller -> keys.listVersions(caller, ref), versions -> Replies.json(ctx, 200,
                new JsonObject().put("versions", StackitJson.array(versions, StackitJson::version))));
    }

    private void get(RoutingContext ctx) {
        VersionRef ref = versionRef(ctx);
        calls.run(ctx, caller -> keys.getVersion(caller, ref),
                version -> Replies.json(ctx, 200, StackitJson.version(version)));
    }

    private void disable(RoutingContext ctx) {
        VersionRef ref = versionRef(ctx);
        calls.runEmpty(ctx, caller -> keys.disableVersion(caller, ref), 204);
    }

    private void enable(RoutingContext ctx) {
        VersionRef ref = versionRef(ctx);
        calls.runEmpty(ctx, caller -> keys.enableVersion(caller, ref), 204);
    }

    private void destroy(RoutingContext ctx) {
        VersionRef ref = versionRef(ctx);
        calls.runEmpty(ctx, caller -> keys.destroyVersion(caller, ref), 204);
    }

    private void restore(RoutingContext ctx) {
        VersionRef ref = versionRef(ctx);
        calls.runEmpty(ctx, caller -> keys.restoreVersion(caller, ref), 204);
    }
}
