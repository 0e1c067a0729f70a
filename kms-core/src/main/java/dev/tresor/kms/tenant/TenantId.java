package dev.tresor.kms.tenant;

import dev.tresor.kms.service.KmsError;
import java.util.Objects;

/** A KMS instance: one project in one region. The unit of isolation, rate limit and export. */
public record TenantId(String projectId, String regionId) {
    public TenantId {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(regionId, "regionId");
        if (projectId.isEmpty() || regionId.isEmpty() || projectId.contains("/") || regionId.contains("/")) {
            throw KmsError.invalid("invalid tenant " + projectId + "/" + regionId);
        }
    }

    /** The form used in storage keys and audit records: {@code projectId/regionId}. */
    public String path() {
        return projectId + "/" + regionId;
    }

    @Override
    public String toString() {
        return path();
    }
}
