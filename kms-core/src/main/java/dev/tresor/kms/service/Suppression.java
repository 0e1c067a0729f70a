package dev.tresor.kms.service;

/** How the core keeps a second failure with the first it throws (a seal listener's, a close's). */
public final class Suppression {
    private Suppression() {
    }

    /**
     * Adds {@code alsoFailed} to {@code failure}'s suppressed failures and answers {@code failure}.
     * A listener or a store may rethrow the very failure it was told of, which cannot suppress
     * itself: {@link Throwable#addSuppressed} would throw an IllegalArgumentException instead of both.
     */
    public static <T extends Throwable> T add(T failure, Throwable alsoFailed) {
        if (alsoFailed != failure) {
            failure.addSuppressed(alsoFailed);
        }
        return failure;
    }
}
