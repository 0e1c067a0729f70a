package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops one chosen thread the first time it calls {@link #here} from inside a named method of
 * ours, until the test releases it. A test clock or store calls {@link #here}, so a race between a
 * handler's steps and a concurrent change is forced at the point the test names, not hoped for.
 */
final class HoldInside {
    private final String type;
    private final String method;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Thread held;

    HoldInside(Class<?> type, String method) {
        this.type = type.getName();
        this.method = method;
    }

    /** Stops {@code thread} at its first {@link #here} inside the method. */
    void hold(Thread thread) {
        held = thread;
    }

    /** Where a test clock or store lets the held thread stop. */
    void here() {
        if (Thread.currentThread() != held || !inside()) {
            return;
        }
        held = null;
        reached.countDown();
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Until the thread is stopped; fails the test if it is not within a minute. */
    void awaitHeld() throws InterruptedException {
        assertTrue(reached.await(1, TimeUnit.MINUTES), "never stopped inside " + type + "." + method);
    }

    void release() {
        released.countDown();
    }

    private boolean inside() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                frame -> frame.getClassName().equals(type) && frame.getMethodName().equals(method)));
    }
}
