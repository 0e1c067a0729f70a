package dev.tresor.kms.tenant;

import dev.tresor.kms.service.KmsError;
import java.util.Objects;
import java.util.Optional;

/**
 * What an authenticated credential may do: a role in one project, or (the operator) admin in
 * every project plus server administration.
 */
public record Grant(Principal principal, Optional<String> projectId, Role role) {
    public Grant {
        Objects.requireNonNull(principal);
        Objects.requireNonNull(projectId);
        Objects.requireNonNull(role);
    }

    public static Grant operator(Principal principal) {
        return new Grant(principal, Optional.empty(), Role.ADMIN);
    }

    public boolean isOperator() {
        return projectId.isEmpty();
    }

    /**
     * The caller this grant makes inside {@code tenant}. Another project's resources are
     * NOT_FOUND, never PERMISSION_DENIED: a token must not learn what exists elsewhere.
     */
    public Caller callerIn(TenantId tenant) {
        if (projectId.isPresent() && !projectId.get().equals(tenant.projectId())) {
            throw KmsError.notFound("project " + tenant.projectId());
        }
        return Caller.of(principal, tenant, role);
    }
}
