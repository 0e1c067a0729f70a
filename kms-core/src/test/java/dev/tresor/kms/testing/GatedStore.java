package dev.tresor.kms.testing;

import dev.tresor.kms.store.Entry;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A store that stops one chosen thread inside its next read of a key, after the value was read,
 * until the test releases it: a load that read the store before a concurrent change is forced,
 * not hoped for.
 */
public final class GatedStore implements Store {
    private final Store store;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Thread gated;

    public GatedStore(Store store) {
        this.store = store;
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
        Optional<byte[]> value = store.get(key);
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

    @Override
    public List<Entry> scan(byte[] prefix) {
        return store.scan(prefix);
    }

    @Override
    public Optional<Entry> last(byte[] prefix) {
        return store.last(prefix);
    }

    @Override
    public CompletableFuture<Void> submit(WriteBatch batch) {
        return store.submit(batch);
    }

    @Override
    public void compact() {
        store.compact();
    }

    @Override
    public void close() {
        store.close();
    }
}
