package dev.tresor.kms.tenant;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.audit.PendingAudit;
import dev.tresor.kms.service.UndoScope;
import java.util.Objects;
import java.util.Optional;

/**
 * An authenticated caller inside one KMS instance, with the role it holds there and, when the
 * workload presented fresh evidence with this call, the verified attestation result.
 * {@code admission}: present when a front-end already counted this call against the instance's
 * budget (one KMIP batch item that takes several core calls is one call); the core calls made
 * under it hold their audit events there, written in one go before the front-end call answers.
 * {@code undo}: present while the caller's calls are part of a group that may have to be undone
 * (a KMIP batch with Batch Error Continuation Option Undo); what they write is remembered there.
 */
public record Caller(Principal principal, TenantId tenant, Role role, Optional<AttestationResult> attestation,
                     Optional<PendingAudit> admission, Optional<UndoScope> undo) {
    public Caller {
        Objects.requireNonNull(principal);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(role);
        Objects.requireNonNull(attestation);
        Objects.requireNonNull(admission);
        Objects.requireNonNull(undo);
    }

    public static Caller of(Principal principal, TenantId tenant, Role role) {
        return new Caller(principal, tenant, role, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Caller withAttestation(AttestationResult result) {
        return new Caller(principal, tenant, role, Optional.of(result), admission, undo);
    }

    /** The same caller, its call already counted (see {@code KeyManagement.admitted}), its audit events held in {@code pending}. */
    public Caller admittedInto(PendingAudit pending) {
        return new Caller(principal, tenant, role, attestation, Optional.of(pending), undo);
    }

    /** The same caller, whose changes {@code scope} remembers so that {@code KeyManagement.undo} can take them back. */
    public Caller undoableIn(UndoScope scope) {
        return new Caller(principal, tenant, role, attestation, admission, Optional.of(scope));
    }

    /** The same caller, its changes outside any undo scope (shared set-up that an undo must not take back). */
    public Caller withoutUndo() {
        return new Caller(principal, tenant, role, attestation, admission, Optional.empty());
    }

    /** Whether a front-end already counted this call. */
    public boolean admitted() {
        return admission.isPresent();
    }
}
