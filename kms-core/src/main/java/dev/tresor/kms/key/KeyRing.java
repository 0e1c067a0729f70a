package dev.tresor.kms.key;

import dev.tresor.kms.tenant.TenantId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

public record KeyRing(String id, TenantId tenant, String displayName, Optional<String> description, Instant createdAt) {
    public KeyRing {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(displayName);
        Objects.requireNonNull(description);
        Objects.requireNonNull(createdAt);
    }
}
