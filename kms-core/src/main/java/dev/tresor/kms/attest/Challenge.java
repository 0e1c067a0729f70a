package dev.tresor.kms.attest;

import dev.tresor.kms.service.Bytes;
import java.time.Instant;
import java.util.Objects;

/**
 * A server-issued challenge: its id, 32 random bytes, who may answer it (tenant and audience,
 * e.g. {@code rest:<key>}, {@code kmip}, {@code kbs}) and when it stops being accepted.
 */
public record Challenge(String id, Bytes nonce, String tenant, String audience, Instant expiresAt) {
    public Challenge {
        Objects.requireNonNull(id);
        Objects.requireNonNull(nonce);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(audience);
        Objects.requireNonNull(expiresAt);
    }
}
