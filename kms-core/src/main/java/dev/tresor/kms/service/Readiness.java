package dev.tresor.kms.service;

/** Whether the server can serve data calls, as {@code /readyz} reports it: ready, or the first reason it is not. */
public enum Readiness {
    READY("ready"),
    /** A commit failed and the store refuses every write until the server restarts (fail-stop). */
    STORE_FAILED("store failed; restart the server"),
    NOT_INITIALISED("not initialised"),
    SEALED("sealed"),
    /** Unsealed, but the passes an unseal runs before serving data calls still run. */
    MIGRATING("unsealed; stored keys are being brought up to date");

    private final String description;

    Readiness(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
