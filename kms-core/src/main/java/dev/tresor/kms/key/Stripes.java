package dev.tresor.kms.key;

import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Striped read-write locks by id: changes to one key (or object, or ring) are serialised, calls
 * on others are not. A lock is never held while another stripe is taken.
 */
final class Stripes {
    private static final int COUNT = 64;

    private final ReentrantReadWriteLock[] locks = new ReentrantReadWriteLock[COUNT];

    Stripes() {
        Arrays.setAll(locks, i -> new ReentrantReadWriteLock());
    }

    /** Runs {@code body} holding the id's lock alone. */
    <T> T exclusive(String id, Supplier<T> body) {
        return holding(stripe(id).writeLock(), body);
    }

    /** Runs {@code body} holding the id's lock together with other shared holders. */
    <T> T shared(String id, Supplier<T> body) {
        return holding(stripe(id).readLock(), body);
    }

    private ReentrantReadWriteLock stripe(String id) {
        return locks[Math.floorMod(id.hashCode(), COUNT)];
    }

    private static <T> T holding(Lock lock, Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }
}
