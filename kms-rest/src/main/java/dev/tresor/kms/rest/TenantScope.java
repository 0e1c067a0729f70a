package dev.tresor.kms.rest;

import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.TenantId;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the {@code /v1/projects/{projectId}/regions/{regionId}} prefix and the caller's grant
 * into a {@link Caller} of that KMS instance. A token of another project gets 404, as if the
 * project did not exist.
 */
final class TenantScope implements Handler<RoutingContext> {
    private static final String CALLER = "tresor.caller";

    private final Set<String> regions;

    TenantScope(Set<String> regions) {
        this.regions = Set.copyOf(regions);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String projectId = PathParams.uuid(ctx, "projectId");
        String regionId = ctx.pathParam("regionId");
        if (!regions.contains(regionId)) {
            throw KmsError.invalid("path parameter 'regionId' must be one of " + new TreeSet<>(regions));
        }
        ctx.put(CALLER, BearerAuth.grant(ctx).callerIn(new TenantId(projectId, regionId)));
        ctx.next();
    }

    static Caller caller(RoutingContext ctx) {
        Caller caller = ctx.get(CALLER);
        if (caller == null) {
            throw new IllegalStateException("route " + ctx.request().path() + " is not behind TenantScope");
        }
        return caller;
    }
}
