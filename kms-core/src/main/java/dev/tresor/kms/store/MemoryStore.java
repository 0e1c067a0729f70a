package dev.tresor.kms.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/** A {@link Store} in memory, for fast unit tests only: nothing survives the process. */
public final class MemoryStore implements Store {
    private final NavigableMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    @Override
    public Optional<byte[]> get(byte[] key) {
        return read(() -> Optional.ofNullable(entries.get(key)).map(byte[]::clone));
    }

    @Override
    public List<Entry> scan(byte[] prefix) {
        return read(() -> {
            List<Entry> found = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> e : entries.tailMap(prefix, true).entrySet()) {
                if (!KeyPrefix.startsWith(e.getKey(), prefix)) {
                    break;
                }
                found.add(copy(e));
            }
            return found;
        });
    }

    @Override
    public Optional<Entry> last(byte[] prefix) {
        return read(() -> {
            Map.Entry<byte[], byte[]> candidate = KeyPrefix.successor(prefix)
                    .map(entries::lowerEntry)
                    .orElseGet(entries::lastEntry);
            return Optional.ofNullable(candidate)
                    .filter(e -> KeyPrefix.startsWith(e.getKey(), prefix))
                    .map(MemoryStore::copy);
        });
    }

    @Override
    public CompletableFuture<Void> submit(WriteBatch batch) {
        lock.writeLock().lock();
        try {
            checkOpen();
            for (WriteBatch.Mutation m : batch.mutations()) {
                if (m instanceof WriteBatch.Put put) {
                    entries.put(put.key(), put.value());
                } else {
                    entries.remove(m.key());
                }
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void compact() {
        read(() -> null);
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            entries.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private <T> T read(Supplier<T> query) {
        lock.readLock().lock();
        try {
            checkOpen();
            return query.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private static Entry copy(Map.Entry<byte[], byte[]> e) {
        return new Entry(e.getKey().clone(), e.getValue().clone());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }
}
