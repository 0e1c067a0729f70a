package dev.tresor.kms.rest.kbs;

import dev.tresor.kms.attest.jwe.Jwe;
import dev.tresor.kms.attest.kbs.KbsAttestation;
import dev.tresor.kms.attest.kbs.KbsChallenge;
import dev.tresor.kms.attest.kbs.KbsCredential;
import dev.tresor.kms.attest.kbs.KbsRequest;
import dev.tresor.kms.attest.kbs.KbsResourcePath;
import dev.tresor.kms.rest.Blocking;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.TenantId;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The Confidential Containers KBS protocol ({@code /kbs/v0}) for CoCo guest components:
 * {@code POST auth} (Request → Challenge and the {@code kbs-session-id} cookie), {@code POST
 * attest} (Attestation → token, session attested) and {@code GET resource/{repository}/{type}/{tag}}
 * (→ the key version as a flattened JWE to the session's tee-pubkey). Served at {@code /kbs/v0}
 * for the configured default KMS instance and at {@code /v1/projects/{p}/regions/{r}/kbs/v0} for
 * any. Every answer and error follows the KBS wire ({@link KbsErrors}), not STACKIT's.
 */
public final class KbsRoutes {
    public static final String ROOT = "/kbs/v0";
    public static final String TENANT_ROOT = "/v1/projects/:projectId/regions/:regionId" + ROOT;
    public static final String COOKIE = "kbs-session-id";
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final String BEARER = "bearer ";
    private static final int MAX_COOKIE_CHARS = 64;

    private final KeyManagement keys;
    private final Blocking blocking;
    private final Set<String> regions;
    private final Optional<TenantId> defaultTenant;
    private final Clock clock;

    /**
     * @param defaultTenant the KMS instance {@code /kbs/v0} serves; without one only the
     *                      per-instance prefix answers
     */
    public KbsRoutes(KeyManagement keys, Blocking blocking, Set<String> regions, Optional<TenantId> defaultTenant,
                     Clock clock) {
        this.keys = keys;
        this.blocking = blocking;
        this.regions = Set.copyOf(regions);
        this.defaultTenant = defaultTenant;
        this.clock = clock;
    }

    public void mount(Router router) {
        for (String root : new String[] {ROOT, TENANT_ROOT}) {
            router.post(root + "/auth").handler(this::auth);
            router.post(root + "/attest").handler(this::attest);
            router.get(root + "/resource/:repository/:type/:tag").handler(this::resource);
            router.route(root + "/*").handler(ctx -> {
                throw KmsError.notFound("KBS path " + ctx.request().path());
            });
            router.route(root + "/*").failureHandler(new KbsErrors());
        }
    }

    private void auth(RoutingContext ctx) {
        TenantId tenant = tenant(ctx);
        byte[] body = body(ctx);
        blocking.run(() -> keys.kbsAuth(tenant, KbsRequest.parse(body))).onSuccess(challenge -> {
            setCookie(ctx, challenge.sessionId(), challenge.expiresAt());
            json(ctx, new JsonObject().put("nonce", challenge.nonce())
                    .put("extra-params", new JsonObject().put("selected-hash-algorithm", challenge.hashAlgorithm())));
        }).onFailure(ctx::fail);
    }

    private void attest(RoutingContext ctx) {
        TenantId tenant = tenant(ctx);
        String session = cookie(ctx).orElseThrow(() -> KmsError.of(ErrorCode.UNAUTHENTICATED,
                "no " + COOKIE + " cookie; POST " + ROOT + "/auth first"));
        byte[] body = body(ctx);
        blocking.run(() -> keys.kbsAttest(tenant, session, KbsAttestation.parse(body))).onSuccess(attested -> {
            setCookie(ctx, attested.sessionId(), attested.expiresAt());
            json(ctx, new JsonObject().put("token", attested.token()));
        }).onFailure(ctx::fail);
    }

    private void resource(RoutingContext ctx) {
        TenantId tenant = tenant(ctx);
        KbsResourcePath path = new KbsResourcePath(ctx.pathParam("repository").toLowerCase(Locale.ROOT),
                ctx.pathParam("type"), ctx.pathParam("tag").toLowerCase(Locale.ROOT), version(ctx));
        KbsCredential credential = credential(ctx);
        blocking.run(() -> keys.kbsResource(tenant, credential, path))
                .onSuccess(jwe -> json(ctx, flattened(jwe)))
                .onFailure(ctx::fail);
    }

    private static JsonObject flattened(Jwe jwe) {
        JsonObject body = new JsonObject();
        jwe.flattened().forEach(body::put);
        return body;
    }

    /** The default instance at {@code /kbs/v0}, or the one the prefix names; 404 for anything else. */
    private TenantId tenant(RoutingContext ctx) {
        String projectId = ctx.pathParam("projectId");
        if (projectId == null) {
            return defaultTenant.orElseThrow(() -> KmsError.notFound("default KBS instance (none is configured;"
                    + " use /v1/projects/{projectId}/regions/{regionId}" + ROOT + ")"));
        }
        String regionId = ctx.pathParam("regionId");
        if (!UUID.matcher(projectId).matches() || !regions.contains(regionId)) {
            throw KmsError.notFound("KMS instance (project must be a UUID, region one of " + new TreeSet<>(regions)
                    + ")");
        }
        return new TenantId(projectId.toLowerCase(Locale.ROOT), regionId);
    }

    private static OptionalLong version(RoutingContext ctx) {
        String version = ctx.queryParams().get("version");
        if (version == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(version));
        } catch (NumberFormatException e) {
            throw KmsError.notFound("version " + (version.length() > 20 ? version.substring(0, 20) : version));
        }
    }

    /** The session cookie, or {@code Authorization: Bearer} with a token this KBS issued. */
    private static KbsCredential credential(RoutingContext ctx) {
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return new KbsCredential.Token(authorization.substring(BEARER.length()).trim());
        }
        return cookie(ctx).<KbsCredential>map(KbsCredential.Session::new).orElseThrow(() -> KmsError.of(
                ErrorCode.UNAUTHENTICATED, "no " + COOKIE + " cookie or bearer token; attest first"));
    }

    private static Optional<String> cookie(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(COOKIE);
        if (cookie == null || cookie.getValue().isEmpty() || cookie.getValue().length() > MAX_COOKIE_CHARS) {
            return Optional.empty();
        }
        return Optional.of(cookie.getValue());
    }

    /** Written out rather than by Netty, whose {@code Expires} would follow the system clock, not the server's. */
    private void setCookie(RoutingContext ctx, String sessionId, Instant expiresAt) {
        String path = ctx.request().path();
        long maxAge = Math.max(0, Duration.between(clock.instant(), expiresAt).toSeconds());
        ctx.response().putHeader(HttpHeaders.SET_COOKIE, COOKIE + "=" + sessionId
                + "; Expires=" + DateTimeFormatter.RFC_1123_DATE_TIME.format(expiresAt.atOffset(ZoneOffset.UTC))
                + "; Max-Age=" + maxAge + "; Path=" + path.substring(0, path.lastIndexOf('/'))
                + "; HttpOnly; Secure; SameSite=Strict");
    }

    private static byte[] body(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw KmsError.invalid("a JSON request body is required");
        }
        return body.getBytes();
    }

    private static void json(RoutingContext ctx, JsonObject body) {
        ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }
}
