package dev.tresor.kms.key;

import java.util.Optional;

/**
 * What an attribute save also makes of the key's core state in its one write (KMIP Revoke and
 * Destroy: the object's new state and the core's step are durable together or not at all). The
 * core judges it on the key and the version as they are when the save is written: a step that
 * would change nothing there (the version disabled, destroyed or purged meanwhile; the key already
 * deleted, for a key's step) is left out, never refused. A version's step on a key deleted
 * meanwhile is refused as changed meanwhile, nothing saved: the delete is a soft one, which a
 * restore would undo with the version live and the object saying otherwise, and the front-end's
 * retry judges the object of the deleted key afresh.
 */
public enum LifecycleStep {
    /** The version revoked: an active one disabled and marked revoked. */
    REVOKE(Optional.of(Revocation.REVOKED)),
    /** The version revoked for a compromise: an active one, or one revoked before, marked compromised. */
    REVOKE_COMPROMISED(Optional.of(Revocation.COMPROMISED)),
    /** The version destroyed (the soft destroy, restorable until its destroy date). */
    DESTROY_VERSION(Optional.empty()),
    /**
     * The key deleted (the soft delete, restorable until its purge), only while the version the save
     * names is its last one: a version added since makes the save one that changed meanwhile.
     */
    DELETE_KEY(Optional.empty()),
    /**
     * {@link #DELETE_KEY} for a save that destroys no material of its own (a pair's public half):
     * only while the version is destroyed or purged. A version live again (an admin restored it
     * through REST) keeps the key, and the step is left out.
     */
    DELETE_KEY_IF_DESTROYED(Optional.empty());

    private final Optional<Revocation> revocation;

    LifecycleStep(Optional<Revocation> revocation) {
        this.revocation = revocation;
    }

    /** Why the version is revoked, for a revoking step. */
    public Optional<Revocation> revocation() {
        return revocation;
    }
}
