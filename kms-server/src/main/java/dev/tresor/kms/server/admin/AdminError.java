package dev.tresor.kms.server.admin;

/** The server refused a call or could not be reached; the message is one line for the user. */
public final class AdminError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AdminError(String message) {
        super(message, null, false, false);
    }
}
