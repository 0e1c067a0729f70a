package dev.tresor.kms.rest;

import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.SealStatus;
import dev.tresor.kms.tenant.ClientCertificate;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.IssuedToken;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The admin API (seal, projects, tokens, KMIP client certificates) that kms-server's CLI calls;
 * the contract is notes/ADMIN-API.md. Seal status, init and unseal need no token; every other
 * route needs the operator or, for project-scoped ones, an admin of that project (the core checks).
 */
final class AdminRoutes {
    static final String PREFIX = "/admin/v1";
    private static final String PROJECT = PREFIX + "/projects/:projectId";

    private final Administration admin;
    private final Blocking blocking;
    private final BearerAuth auth;

    AdminRoutes(Administration admin, Blocking blocking, BearerAuth auth) {
        this.admin = admin;
        this.blocking = blocking;
        this.auth = auth;
    }

    void mount(Router router) {
        router.get(PREFIX + "/seal").handler(this::sealStatus);
        router.post(PREFIX + "/init").handler(this::init);
        router.post(PREFIX + "/unseal").handler(this::unseal);
        router.post(PREFIX + "/seal").handler(auth).handler(this::seal);
        router.post(PREFIX + "/projects").handler(auth).handler(this::createProject);
        router.get(PREFIX + "/projects").handler(auth).handler(this::listProjects);
        router.post(PROJECT + "/tokens").handler(auth).handler(this::createToken);
        router.get(PROJECT + "/tokens").handler(auth).handler(this::listTokens);
        router.delete(PROJECT + "/tokens/:tokenId").handler(auth).handler(this::revokeToken);
        router.post(PROJECT + "/client-certs").handler(auth).handler(this::registerClientCertificate);
        router.get(PROJECT + "/client-certs").handler(auth).handler(this::listClientCertificates);
        router.delete(PROJECT + "/client-certs/:fingerprint").handler(auth).handler(this::revokeClientCertificate);
    }

    private void sealStatus(RoutingContext ctx) {
        answer(ctx, admin::sealStatus, status -> Replies.json(ctx, 200, sealStatus(status)));
    }

    private void init(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        int shares = body.positiveInt("shares");
        int threshold = body.positiveInt("threshold");
        answer(ctx, () -> admin.initialize(shares, threshold), result -> Replies.json(ctx, 200, new JsonObject()
                .put("shares", result.shares())
                .put("threshold", result.threshold())
                .put("operatorToken", result.operatorToken())));
    }

    private void unseal(RoutingContext ctx) {
        String share = JsonBody.of(ctx).string("share");
        answer(ctx, () -> admin.unseal(share), status -> Replies.json(ctx, 200, sealStatus(status)));
    }

    private void seal(RoutingContext ctx) {
        asGrantEmpty(ctx, admin::seal);
    }

    private void createProject(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        Optional<String> projectId = body.optionalString("projectId").map(id -> PathParams.uuid(id, "field 'projectId'"));
        OptionalLong callsPerHour = body.optionalPositiveLong("callsPerHour")
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        KmipLegacy legacy = new KmipLegacy(body.optionalBoolean("kmipExportableByDefault", false),
                body.optionalBoolean("kmipAesMacWithCipher", false));
        asGrant(ctx, grant -> admin.createProject(grant, projectId, callsPerHour, legacy),
                project -> Replies.json(ctx, 201, project(project)));
    }

    private void listProjects(RoutingContext ctx) {
        asGrant(ctx, admin::listProjects, projects -> Replies.json(ctx, 200,
                new JsonObject().put("projects", StackitJson.array(projects, AdminRoutes::project))));
    }

    private void createToken(RoutingContext ctx) {
        String projectId = PathParams.uuid(ctx, "projectId");
        JsonBody body = JsonBody.of(ctx);
        Role role = body.enumValue("role", Role.values(), Role::wireName);
        String description = body.optionalString("description").orElse("");
        Optional<Duration> lifetime = body.optionalPositiveLong("ttlSeconds").map(Duration::ofSeconds);
        asGrant(ctx, grant -> admin.createToken(grant, projectId, role, description, lifetime),
                created -> Replies.json(ctx, 201, newToken(created)));
    }

    private void listTokens(RoutingContext ctx) {
        String projectId = PathParams.uuid(ctx, "projectId");
        asGrant(ctx, grant -> admin.listTokens(grant, projectId), tokens -> Replies.json(ctx, 200,
                new JsonObject().put("tokens", StackitJson.array(tokens, AdminRoutes::token))));
    }

    private void revokeToken(RoutingContext ctx) {
        String projectId = PathParams.uuid(ctx, "projectId");
        String tokenId = ctx.pathParam("tokenId");
        asGrantEmpty(ctx, grant -> admin.revokeToken(grant, projectId, tokenId));
    }

    private void registerClientCertificate(RoutingContext ctx) {
        String projectId = PathParams.uuid(ctx, "projectId");
        JsonBody body = JsonBody.of(ctx);
        Role role = body.enumValue("role", Role.values(), Role::wireName);
        String pem = body.string("certificatePem");
        asGrant(ctx, grant -> admin.registerClientCertificate(grant, projectId, role, pem),
                certificate -> Replies.json(ctx, 201, clientCertificate(certificate)));
    }

    private void listClientCertificates(RoutingContext ctx) {
        String projectId = PathParams.uuid(ctx, "projectId");
        asGrant(ctx, grant -> admin.listClientCertificates(grant, projectId), certificates -> Replies.json(ctx, 200,
                new JsonObject().put("clientCerts", StackitJson.array(certificates, AdminRoutes::clientCertificate))));
    }

    private void revokeClientCertificate(RoutingContext ctx) {
        String projectId = PathParams.uuid(ctx, "projectId");
        String fingerprint = ctx.pathParam("fingerprint");
        asGrantEmpty(ctx, grant -> admin.revokeClientCertificate(grant, projectId, fingerprint));
    }

    private <T> void asGrant(RoutingContext ctx, Function<Grant, T> call, Consumer<T> reply) {
        Grant grant = BearerAuth.grant(ctx);
        answer(ctx, () -> call.apply(grant), reply);
    }

    /** A call answered by 204 alone. */
    private void asGrantEmpty(RoutingContext ctx, Consumer<Grant> call) {
        asGrant(ctx, grant -> {
            call.accept(grant);
            return 204;
        }, status -> Replies.empty(ctx, status));
    }

    private <T> void answer(RoutingContext ctx, Callable<T> call, Consumer<T> reply) {
        blocking.run(call).onSuccess(reply::accept).onFailure(ctx::fail);
    }

    static JsonObject sealStatus(SealStatus status) {
        return new JsonObject()
                .put("initialized", status.initialized())
                .put("sealed", status.sealed())
                .put("sealType", status.sealType())
                .put("threshold", status.threshold())
                .put("sharesProvided", status.sharesProvided())
                .put("migrating", status.migrating());
    }

    private static JsonObject project(Project project) {
        return new JsonObject()
                .put("projectId", project.id())
                .put("createdAt", StackitJson.time(project.createdAt()))
                .put("callsPerHour", project.callsPerHour())
                .put("kmipExportableByDefault", project.kmipLegacy().exportableByDefault())
                .put("kmipAesMacWithCipher", project.kmipLegacy().aesMacWithCipher());
    }

    private static JsonObject newToken(IssuedToken.NewToken created) {
        return tokenFields(created.token()).put("token", created.secret());
    }

    private static JsonObject token(IssuedToken token) {
        return tokenFields(token).put("revoked", token.revoked());
    }

    private static JsonObject tokenFields(IssuedToken token) {
        JsonObject json = new JsonObject().put("id", token.id());
        token.projectId().ifPresent(p -> json.put("projectId", p));
        json.put("role", token.role().wireName())
                .put("description", token.description())
                .put("createdAt", StackitJson.time(token.createdAt()));
        token.expiresAt().ifPresent(e -> json.put("expiresAt", StackitJson.time(e)));
        return json;
    }

    private static JsonObject clientCertificate(ClientCertificate certificate) {
        return new JsonObject()
                .put("fingerprint", certificate.fingerprint())
                .put("subject", certificate.subject())
                .put("projectId", certificate.projectId())
                .put("role", certificate.role().wireName())
                .put("registeredAt", StackitJson.time(certificate.registeredAt()))
                .put("notAfter", StackitJson.time(certificate.notAfter()))
                .put("revoked", certificate.revoked());
    }
}
