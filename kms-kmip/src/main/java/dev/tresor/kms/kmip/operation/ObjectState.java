package dev.tresor.kms.kmip.operation;

/**
 * The KMIP State of an object (spec 1.4 section 3.22). The core knows only enabled, disabled and
 * destroyed versions; Pre-Active versus Deactivated versus Compromised is kept beside it.
 */
enum ObjectState {
    PRE_ACTIVE(1), ACTIVE(2), DEACTIVATED(3), COMPROMISED(4), DESTROYED(5), DESTROYED_COMPROMISED(6);

    private final int code;

    ObjectState(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    boolean usable() {
        return this == ACTIVE;
    }

    boolean destroyed() {
        return this == DESTROYED || this == DESTROYED_COMPROMISED;
    }

    /** The state a Destroy leaves: Destroyed Compromised from Compromised, else Destroyed; a destroyed one stays. */
    ObjectState afterDestroy() {
        if (destroyed()) {
            return this;
        }
        return this == COMPROMISED ? DESTROYED_COMPROMISED : DESTROYED;
    }
}
