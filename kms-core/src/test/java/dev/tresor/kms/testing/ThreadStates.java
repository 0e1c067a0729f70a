package dev.tresor.kms.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

/** Waiting, at most a minute, until another thread has reached the point a test holds it at. */
public final class ThreadStates {
    private ThreadStates() {
    }

    public static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (thread.getState() != state) {
            assertTrue(System.nanoTime() < deadline, thread + " never reached " + state + ": " + thread.getState());
            Thread.sleep(5);
        }
    }
}
