package dev.tresor.kms.key;

import dev.tresor.kms.service.NonBlocking;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Striped read-write locks by id: changes to one key (or object, or ring) are serialised, calls
 * on others are not. A lock is never held while another stripe is taken, except by
 * {@link #exclusiveAll}, which takes them in one fixed order.
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

    /**
     * Runs {@code body} holding the locks of all {@code ids} alone, taken in stripe order, so two
     * holders of several never wait for each other in a circle.
     */
    <T> T exclusiveAll(Collection<String> ids, Supplier<T> body) {
        List<Lock> taken = ids.stream().map(Stripes::index).distinct().sorted()
                .map(i -> (Lock) locks[i].writeLock()).toList();
        NonBlocking.check("key locks");
        int held = 0;
        try {
            for (Lock lock : taken) {
                lock.lock();
                held++;
            }
            return body.get();
        } finally {
            for (int i = held - 1; i >= 0; i--) {
                taken.get(i).unlock();
            }
        }
    }

    private ReentrantReadWriteLock stripe(String id) {
        return locks[index(id)];
    }

    private static int index(String id) {
        return Math.floorMod(id.hashCode(), COUNT);
    }

    private static <T> T holding(Lock lock, Supplier<T> body) {
        NonBlocking.check("a lock");
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }
}
