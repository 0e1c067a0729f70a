package dev.tresor.kms.tenant;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.audit.PendingAudit;
import java.util.Objects;
import java.util.Optional;

/**
 * An authenticated caller inside one KMS instance, with the role it holds there and, when the
 * workload presented fresh evidence with this call, the verified attestation result.
 * {@code admission}: present when a front-end already counted this call against the instance's
 * budget (one KMIP batch item that takes several core calls is one call); the core calls made
 * under it hold their audit events there, written in one go before the front-end call answers.
 */
public record Caller(Principal principal, TenantId tenant, Role role, Optional<AttestationResult> attestation,
                     Optional<PendingAudit> admission) {
    public Caller {
        Objects.requireNonNull(principal);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(role);
        Objects.requireNonNull(attestation);
        Objects.requireNonNull(admission);
    }

    public static Caller of(Principal principal, TenantId tenant, Role role) {
        return new Caller(principal, tenant, role, Optional.empty(), Optional.empty());
    }

    public Caller withAttestation(AttestationResult result) {
        return new Caller(principal, tenant, role, Optional.of(result), admission);
    }

    /** The same caller, its call already counted (see {@code KeyManagement.admitted}), its audit events held in {@code pending}. */
    public Caller admittedInto(PendingAudit pending) {
        return new Caller(principal, tenant, role, attestation, Optional.of(pending));
    }

    /** Whether a front-end already counted this call. */
    public boolean admitted() {
        return admission.isPresent();
    }
}
