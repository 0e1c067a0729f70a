package dev.tresor.kms.tenant;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An API token as listed: never the secret, which exists only in the answer to its creation
 * ({@link NewToken}); the store keeps a hash.
 */
public record IssuedToken(String id, Optional<String> projectId, Role role, String description, Instant createdAt,
                          Optional<Instant> expiresAt, boolean revoked) {
    public IssuedToken {
        Objects.requireNonNull(id);
        Objects.requireNonNull(projectId);
        Objects.requireNonNull(role);
        Objects.requireNonNull(description);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(expiresAt);
    }

    /** A freshly created token: its metadata and, once, its secret. */
    public record NewToken(IssuedToken token, String secret) {
        @Override
        public String toString() {
            return "NewToken[" + token + ", secret=***]";
        }
    }
}
