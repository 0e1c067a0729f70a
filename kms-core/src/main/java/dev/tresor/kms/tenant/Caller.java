package dev.tresor.kms.tenant;

import dev.tresor.kms.attest.AttestationResult;
import java.util.Objects;
import java.util.Optional;

/**
 * An authenticated caller inside one KMS instance, with the role it holds there and, when the
 * workload presented fresh evidence with this call, the verified attestation result.
 * {@code admitted}: a front-end already counted this call against the instance's budget (one
 * KMIP batch item that takes several core calls is one call).
 */
public record Caller(Principal principal, TenantId tenant, Role role, Optional<AttestationResult> attestation,
                     boolean admitted) {
    public Caller {
        Objects.requireNonNull(principal);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(role);
        Objects.requireNonNull(attestation);
    }

    public static Caller of(Principal principal, TenantId tenant, Role role) {
        return new Caller(principal, tenant, role, Optional.empty(), false);
    }

    public Caller withAttestation(AttestationResult result) {
        return new Caller(principal, tenant, role, Optional.of(result), admitted);
    }

    /** The same caller, its call already counted (see {@code KeyManagement.admit}). */
    public Caller asAdmitted() {
        return new Caller(principal, tenant, role, attestation, true);
    }
}
