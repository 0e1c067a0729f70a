package dev.tresor.kms.service;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rule that work tried on a thread that must never block (a front-end's event loop) cannot
 * wait. Every place in the core that may wait (a storage read, a synchronous write, a key's lock,
 * RSA, state a retry could not repeat) calls {@link #check} first; inside {@link #tryRun} that
 * declines the work: {@link #check} throws, and the decline is remembered, so code that catches
 * the exception cannot hide it. Declined work has read nothing from storage and changed nothing,
 * so it can be run again from the start where waiting is allowed.
 */
public final class NonBlocking {
    private static final ThreadLocal<Attempt> CURRENT = new ThreadLocal<>();

    /** One run of {@link #tryRun}; {@code declined} names the first wait it met. */
    private static final class Attempt {
        String declined;
    }

    /**
     * What {@link #check} throws inside {@link #tryRun}; no stack trace, as it is expected, not a
     * fault. A catch-all on the way out must let it pass untouched: it is no failure to log or audit.
     */
    static final class WouldWait extends RuntimeException {
        WouldWait(String what) {
            super("would wait for " + what, null, false, false);
        }
    }

    private NonBlocking() {
    }

    /** Called before anything that may wait for {@code what}; inside {@link #tryRun} it declines the work. */
    public static void check(String what) {
        Attempt attempt = CURRENT.get();
        if (attempt != null) {
            if (attempt.declined == null) {
                attempt.declined = what;
            }
            throw new WouldWait(what);
        }
    }

    /**
     * Runs {@code work} on this thread without waiting: its result, or empty if it met a
     * {@link #check} (even one whose exception it caught) or failed in any other way; a failure is
     * left for the run that may wait, which reports it where it can be recorded.
     */
    public static <T> Optional<T> tryRun(Supplier<T> work) {
        Attempt outer = CURRENT.get();
        Attempt attempt = new Attempt();
        CURRENT.set(attempt);
        try {
            T result = work.get();
            return attempt.declined == null ? Optional.of(result) : Optional.empty();
        } catch (RuntimeException failed) {
            return Optional.empty();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }
}
