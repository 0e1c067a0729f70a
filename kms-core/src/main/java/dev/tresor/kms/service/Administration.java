package dev.tresor.kms.service;

import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.tenant.ApiTokens;
import dev.tresor.kms.tenant.ClientCertificate;
import dev.tresor.kms.tenant.ClientCertificates;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.IssuedToken;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.Right;
import dev.tresor.kms.tenant.Role;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Server administration: authentication of credentials, projects, API tokens, KMIP client
 * certificates and the seal. Project-scoped calls need the ADMINISTER right in that project (or
 * the operator); projects and the seal need the operator. Every change is audited with it.
 */
public final class Administration {
    private static final Principal SEAL_HOLDER = new Principal(Principal.Kind.OPERATOR, "unseal-key-holder");
    /** Who seals again when a pass of an unseal fails ({@link SealManager#onReseal}). */
    static final String RESEALER = "system:seal";

    private final Projects projects;
    private final ApiTokens tokens;
    private final ClientCertificates certificates;
    private final SealManager seal;
    private final AuditLog audit;
    private final Clock clock;

    Administration(Projects projects, ApiTokens tokens, ClientCertificates certificates, SealManager seal,
                   AuditLog audit, Clock clock) {
        this.projects = projects;
        this.tokens = tokens;
        this.certificates = certificates;
        this.seal = seal;
        this.audit = audit;
        this.clock = clock;
        // recorded as the barrier opens, so the unseal precedes the writes of the passes it runs
        seal.onOpen(() -> audit.record(event(Grant.operator(SEAL_HOLDER), "seal.unseal", "", "ok")));
        seal.onReseal(failure -> audit.record(new AuditEvent(clock.instant(), RESEALER, AuditEvent.OPERATOR_TENANT,
                "seal.seal", "", ErrorCode.INTERNAL.name(), Map.of("failure", failure.getClass().getName()))));
    }

    /** The grant of a bearer token; UNAUTHENTICATED if unknown, revoked or expired (constant-time compare). */
    public Grant authenticateToken(String bearerToken) {
        return tokens.authenticate(bearerToken);
    }

    /** The grant of a registered, unrevoked KMIP client certificate; UNAUTHENTICATED otherwise. */
    public Grant authenticateClientCertificate(X509Certificate certificate) {
        return certificates.authenticate(certificate);
    }

    public Project createProject(Grant operator, Optional<String> projectId, OptionalLong callsPerHour,
                                 KmipLegacy kmipLegacy) {
        requireOperator(operator);
        return projects.create(projectId, callsPerHour, kmipLegacy,
                commit(operator, "project.create", projectId.orElse("")));
    }

    public List<Project> listProjects(Grant operator) {
        requireOperator(operator);
        return projects.list();
    }

    public Project getProject(Grant grant, String projectId) {
        requireProjectRight(grant, projectId, Right.READ_METADATA);
        return projects.get(projectId);
    }

    public IssuedToken.NewToken createToken(Grant grant, String projectId, Role role, String description,
                                            Optional<Duration> lifetime) {
        requireProjectRight(grant, projectId, Right.ADMINISTER);
        return tokens.create(Optional.of(projectId), role, description, lifetime,
                commit(grant, "token.create", "projects/" + projectId));
    }

    /** A token with operator rights (admin in every project, server administration). */
    public IssuedToken.NewToken createOperatorToken(Grant operator, String description) {
        requireOperator(operator);
        return tokens.create(Optional.empty(), Role.ADMIN, description, Optional.empty(),
                commit(operator, "token.create", "operator"));
    }

    public List<IssuedToken> listTokens(Grant grant, String projectId) {
        requireProjectRight(grant, projectId, Right.ADMINISTER);
        return tokens.list(Optional.of(projectId));
    }

    public void revokeToken(Grant grant, String projectId, String tokenId) {
        requireProjectRight(grant, projectId, Right.ADMINISTER);
        tokens.revoke(Optional.of(projectId), tokenId, commit(grant, "token.revoke", "projects/" + projectId
                + "/tokens/" + tokenId));
    }

    public void revokeOperatorToken(Grant operator, String tokenId) {
        requireOperator(operator);
        tokens.revoke(Optional.empty(), tokenId, commit(operator, "token.revoke", "operator/tokens/" + tokenId));
    }

    public List<IssuedToken> listOperatorTokens(Grant operator) {
        requireOperator(operator);
        return tokens.list(Optional.empty());
    }

    public ClientCertificate registerClientCertificate(Grant grant, String projectId, Role role, String pem) {
        requireProjectRight(grant, projectId, Right.ADMINISTER);
        return certificates.register(projectId, role, pem, commit(grant, "client-cert.register", "projects/" + projectId));
    }

    public List<ClientCertificate> listClientCertificates(Grant grant, String projectId) {
        requireProjectRight(grant, projectId, Right.ADMINISTER);
        return certificates.list(projectId);
    }

    public void revokeClientCertificate(Grant grant, String projectId, String fingerprint) {
        requireProjectRight(grant, projectId, Right.ADMINISTER);
        certificates.revoke(projectId, fingerprint, commit(grant, "client-cert.revoke",
                "projects/" + projectId + "/client-certs/" + fingerprint));
    }

    public SealStatus sealStatus() {
        return seal.status();
    }

    /** Whether data calls can be served; a failed store comes first, since only a restart clears it. */
    public Readiness readiness() {
        if (seal.storeFailure().isPresent()) {
            return Readiness.STORE_FAILED;
        }
        SealStatus status = seal.status();
        if (!status.initialized()) {
            return Readiness.NOT_INITIALISED;
        }
        if (status.sealed()) {
            return Readiness.SEALED;
        }
        return status.migrating() ? Readiness.MIGRATING : Readiness.READY;
    }

    /**
     * Initialises a fresh server with the Shamir seal: answers the unseal shares and the first
     * operator token, each shown once.
     */
    public InitResult initialize(int shares, int threshold) {
        List<String> issued = seal.init(shares, threshold);
        Grant holder = Grant.operator(SEAL_HOLDER);
        IssuedToken.NewToken token = tokens.create(Optional.empty(), Role.ADMIN, "initial operator token",
                Optional.empty(), commit(holder, "seal.init", ""));
        return new InitResult(issued, threshold, token.secret());
    }

    /** The unseal that opens the barrier is audited as it opens ({@link SealManager#onOpen}). */
    public SealStatus unseal(String share) {
        return seal.unseal(share);
    }

    /**
     * Recorded under the seal's lock ({@link SealManager#sealRecorded}), so never between an
     * unseal's opening and its record; a seal of a sealed Tresor seals nothing and is not recorded.
     * A record that cannot be written does not stop the seal: Tresor seals, then the call fails
     * with INTERNAL naming the record.
     */
    public void seal(Grant operator) {
        requireOperator(operator);
        seal.sealRecorded(() -> {
            try {
                audit.record(event(operator, "seal.seal", "", "ok"));
            } catch (KmsError e) {
                throw KmsError.internal("the seal.seal audit record could not be written; Tresor is sealed all the same", e);
            }
        });
    }

    private Consumer<BarrierStore.Batch> commit(Grant grant, String operation, String resource) {
        return batch -> audit.record(event(grant, operation, resource, "ok"), batch);
    }

    /**
     * Project-scoped changes are recorded in the project's (single-region) audit chain, so its
     * auditors see who holds tokens; server-wide ones in the operator's chain, "-".
     */
    private AuditEvent event(Grant grant, String operation, String resource, String result) {
        String tenant = resource.startsWith("projects/")
                ? resource.split("/")[1] + "/" + Regions.DEFAULT : "-";
        return new AuditEvent(clock.instant(), grant.principal().toString(), tenant, operation, resource, result, Map.of());
    }

    private static void requireOperator(Grant grant) {
        if (!grant.isOperator()) {
            throw KmsError.denied("only the operator may do this");
        }
    }

    private void requireProjectRight(Grant grant, String projectId, Right right) {
        if (grant.isOperator()) {
            projects.get(projectId);
            return;
        }
        if (!grant.projectId().orElseThrow().equals(projectId)) {
            throw KmsError.notFound("project " + projectId);
        }
        if (!grant.role().allows(right)) {
            throw KmsError.denied("role " + grant.role().wireName() + " may not administer project " + projectId);
        }
    }

    /** The answer to {@link #initialize}: shown once, never stored in plain. */
    public record InitResult(List<String> shares, int threshold, String operatorToken) {
        @Override
        public String toString() {
            return "InitResult[" + shares.size() + " shares, threshold " + threshold + ", token ***]";
        }
    }
}
