package dev.tresor.kms.server;

/** The command line or the configuration is wrong: the message says what, the exit status is 2. */
public final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageError(String message) {
        super(message, null, false, false);
    }
}
