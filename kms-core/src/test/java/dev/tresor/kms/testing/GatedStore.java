package dev.tresor.kms.testing;

import dev.tresor.kms.store.Store;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A store that stops one chosen thread inside its next read of a key, after the value was read,
 * until the test releases it: a load that read the store before a concurrent change is forced,
 * not hoped for.
 */
public final class GatedStore extends ForwardingStore {
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Thread gated;

    public GatedStore(Store store) {
        super(store);
    }

    /** Stops {@code thread} in its next {@link #get}. */
    public void stop(Thread thread) {
        gated = thread;
    }

    public void awaitStopped() throws InterruptedException {
        reached.await();
    }

    public void release() {
        released.countDown();
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        Optional<byte[]> value = super.get(key);
        if (Thread.currentThread() == gated) {
            gated = null;
            reached.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return value;
    }
}
