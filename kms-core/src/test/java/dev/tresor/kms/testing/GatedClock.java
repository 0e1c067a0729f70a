package dev.tresor.kms.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed clock that stops one chosen thread at its n-th reading until the test releases it:
 * races between a call and a concurrent change are forced, not hoped for.
 */
public final class GatedClock extends UtcTestClock {
    private final Instant now;
    private final AtomicInteger readings = new AtomicInteger();
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Thread gated;
    private volatile int stopAt;

    public GatedClock(Instant now) {
        this.now = now;
    }

    /** Stops {@code thread} when it reads the clock for the {@code nth} time. */
    public void stop(Thread thread, int nth) {
        gated = thread;
        stopAt = nth;
    }

    public void awaitStopped() throws InterruptedException {
        reached.await();
    }

    /** Whether the thread stopped within {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return reached.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void release() {
        released.countDown();
    }

    @Override
    public Instant instant() {
        if (Thread.currentThread() == gated && readings.incrementAndGet() == stopAt) {
            reached.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return now;
    }
}
