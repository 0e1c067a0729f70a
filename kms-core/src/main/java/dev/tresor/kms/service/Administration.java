package dev.tresor.kms.service;

import dev.tresor.kms.tenant.ClientCertificate;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.IssuedToken;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Server administration: authentication of credentials, projects, API tokens, KMIP client
 * certificates and the seal. Project-scoped calls need the ADMINISTER right in that project;
 * projects and the seal need the operator.
 */
public final class Administration {
    private static UnsupportedOperationException building() {
        return new UnsupportedOperationException("being built");
    }

    /** The grant of a bearer token; UNAUTHENTICATED if unknown, revoked or expired (constant-time hash compare). */
    public Grant authenticateToken(String bearerToken) { throw building(); }

    /** The grant of a registered, unrevoked KMIP client certificate; UNAUTHENTICATED otherwise. */
    public Grant authenticateClientCertificate(X509Certificate certificate) { throw building(); }

    public Project createProject(Grant operator, Optional<String> projectId, OptionalLong callsPerHour,
                                 boolean kmipExportableByDefault) { throw building(); }

    public List<Project> listProjects(Grant operator) { throw building(); }

    public Project getProject(Grant grant, String projectId) { throw building(); }

    public IssuedToken.NewToken createToken(Grant grant, String projectId, Role role, String description,
                                            Optional<Duration> lifetime) { throw building(); }

    /** A token with operator rights (admin in every project, server administration). */
    public IssuedToken.NewToken createOperatorToken(Grant operator, String description) { throw building(); }

    public List<IssuedToken> listTokens(Grant grant, String projectId) { throw building(); }

    public void revokeToken(Grant grant, String projectId, String tokenId) { throw building(); }

    public ClientCertificate registerClientCertificate(Grant grant, String projectId, Role role, String pem) { throw building(); }

    public List<ClientCertificate> listClientCertificates(Grant grant, String projectId) { throw building(); }

    public void revokeClientCertificate(Grant grant, String projectId, String fingerprint) { throw building(); }

    public SealStatus sealStatus() { throw building(); }

    /**
     * Initialises a fresh server with the Shamir seal: answers the unseal shares and the first
     * operator token, each shown once.
     */
    public InitResult initialize(int shares, int threshold) { throw building(); }

    public SealStatus unseal(String share) { throw building(); }

    public void seal(Grant operator) { throw building(); }

    /** The answer to {@link #initialize}: shown once, never stored in plain. */
    public record InitResult(List<String> shares, int threshold, String operatorToken) {
        @Override
        public String toString() {
            return "InitResult[" + shares.size() + " shares, threshold " + threshold + ", token ***]";
        }
    }
}
