package dev.tresor.kms.service;

/** The closed set of failure kinds; each front-end maps every code to its own wire exactly once. */
public enum ErrorCode {
    /** The caller did not prove who it is (missing, unknown or revoked credential). */
    UNAUTHENTICATED,
    NOT_FOUND,
    INVALID_ARGUMENT,
    PERMISSION_DENIED,
    RATE_LIMITED,
    ATTESTATION_REQUIRED,
    ATTESTATION_FAILED,
    /** The resource exists but its state forbids the call (deleted key, disabled version, ...). */
    FAILED_PRECONDITION,
    SEALED,
    INTERNAL
}
