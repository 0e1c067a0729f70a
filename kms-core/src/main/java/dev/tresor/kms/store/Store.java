package dev.tresor.kms.store;

import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An ordered map of byte keys to byte values (keys compare as unsigned bytes) with atomic,
 * durable multi-key batches. Storage is untrusted: above the store, every value is encrypted by
 * the seal barrier.
 */
public interface Store extends AutoCloseable {

    Optional<byte[]> get(byte[] key);

    /** Every entry whose key starts with {@code prefix}, in ascending key order, from one consistent view. */
    List<Entry> scan(byte[] prefix);

    /** The entry with the greatest key starting with {@code prefix}, if any. */
    Optional<Entry> last(byte[] prefix);

    /**
     * Queues a batch. Batches commit atomically and durably, in submission order; the future
     * completes once the batch is on disk, or fails (with a {@code KmsError}) if it never will be.
     */
    CompletableFuture<Void> submit(WriteBatch batch);

    /** Submits and waits; a failure is thrown as its cause, not wrapped. */
    default void write(WriteBatch batch) {
        await(submit(batch));
    }

    /**
     * Waits for a submitted batch, or for a result that waits on one; a failure is thrown as its
     * cause, not wrapped. Refused with {@link IllegalStateException} on a store's committer thread
     * (in a completion callback), where it would wait for the thread it blocks.
     */
    static <T> T await(CompletableFuture<T> committed) {
        refuseWaitingHere("a synced write");
        try {
            return committed.join();
        } catch (CompletionException e) {
            throw failure(e);
        }
    }

    /**
     * Refuses {@code what}, which waits for the store, where waiting is wrong: on an event loop
     * ({@link NonBlocking}), and on a store's committer thread, which it would wait for.
     */
    static void refuseWaitingHere(String what) {
        NonBlocking.check(what);
        if (Thread.currentThread() instanceof RocksDbStore.CommitterThread) {
            throw new IllegalStateException(what + " cannot be awaited on the store's committer thread");
        }
    }

    /** What a store future failed with, as {@link #await} throws it: the cause, not the wrapper around it. */
    static RuntimeException failure(Throwable thrown) {
        Throwable cause = thrown instanceof CompletionException wrapped && wrapped.getCause() != null
                ? wrapped.getCause() : thrown;
        return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }

    /** The failure that stopped this store, if a commit failed: no write succeeds until it is reopened. */
    default Optional<KmsError> failure() {
        return Optional.empty();
    }

    /** Flushes everything to the storage files and rewrites them, so deleted values leave the disk. */
    void compact();

    /**
     * For a store about to close: a running {@link #compact()} stops early and fails, and later ones
     * are refused, so closing does not wait for a full rewrite. What the compaction was to remove
     * stays on disk until a compaction after the store is opened again.
     */
    default void stopCompactions() {
    }

    /** Commits what was submitted, then releases the store. */
    @Override
    void close();
}
