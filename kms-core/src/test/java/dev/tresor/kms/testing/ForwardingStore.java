package dev.tresor.kms.testing;

import dev.tresor.kms.store.Entry;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.store.WriteBatch;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A real store passed through, for test stores that change one of its calls (a read held, a write failed). */
public class ForwardingStore implements Store {
    private final Store store;

    public ForwardingStore(Store store) {
        this.store = store;
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        return store.get(key);
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
    public void stopCompactions() {
        store.stopCompactions();
    }

    @Override
    public void close() {
        store.close();
    }
}
