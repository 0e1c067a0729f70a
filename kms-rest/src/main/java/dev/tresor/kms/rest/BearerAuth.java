package dev.tresor.kms.rest;

import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.Grant;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates {@code Authorization: Bearer <token>} through the core (which compares hashes
 * in constant time) and leaves the {@link Grant} on the context. A missing or unknown token is
 * 401; nothing about the path is looked at before that.
 */
final class BearerAuth implements Handler<RoutingContext> {
    private static final String GRANT = "tresor.grant";
    private static final String SCHEME = "bearer ";
    /** Longer tokens are refused before any hashing. */
    private static final int MAX_TOKEN_LENGTH = 512;

    private final Administration admin;
    private final Blocking blocking;

    BearerAuth(Administration admin, Blocking blocking) {
        this.admin = admin;
        this.blocking = blocking;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String token = bearerToken(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        blocking.run(() -> admin.authenticateToken(token))
                .onSuccess(grant -> {
                    ctx.put(GRANT, grant);
                    ctx.next();
                })
                .onFailure(ctx::fail);
    }

    static Grant grant(RoutingContext ctx) {
        Grant grant = ctx.get(GRANT);
        if (grant == null) {
            throw new IllegalStateException("route " + ctx.request().path() + " is not behind BearerAuth");
        }
        return grant;
    }

    private static String bearerToken(String header) {
        if (header == null || header.length() <= SCHEME.length()
                || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw KmsError.of(ErrorCode.UNAUTHENTICATED, "missing bearer token (Authorization: Bearer <token>)");
        }
        String token = header.substring(SCHEME.length()).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw KmsError.of(ErrorCode.UNAUTHENTICATED, "invalid bearer token");
        }
        return token;
    }
}
