package dev.tresor.kms.tenant;

import java.time.Instant;
import java.util.Objects;

/** A registered KMIP client certificate: its SHA-256 fingerprint maps to a project and role. */
public record ClientCertificate(String fingerprint, String subject, String projectId, Role role, Instant registeredAt,
                                Instant notAfter, boolean revoked) {
    public ClientCertificate {
        Objects.requireNonNull(fingerprint);
        Objects.requireNonNull(subject);
        Objects.requireNonNull(projectId);
        Objects.requireNonNull(role);
        Objects.requireNonNull(registeredAt);
        Objects.requireNonNull(notAfter);
    }
}
