package dev.tresor.kms.service;

import dev.tresor.kms.seal.BarrierStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a group of calls changed in the store, so that {@link KeyManagement#undo} can take it all
 * back in one atomic write: for every record a call of the group wrote, the sealed value it held
 * before the group's first write to it (or its absence) and the sealed value the group's last write
 * left. Audit records are not part of it: the chain is append-only, and every call keeps its
 * record. A front-end opens one per group (a KMIP batch with Batch Error Continuation Option Undo)
 * and hands it to the core with {@link dev.tresor.kms.tenant.Caller#undoableIn}.
 */
public final class UndoScope {
    /** One record: its sealed value before the group, and the one the group left (empty = absent). */
    private record Change(Optional<byte[]> before, Optional<byte[]> after) {
    }

    private final Map<String, Change> changes = new LinkedHashMap<>();
    private boolean undone;

    /** Whether a call of the group changed anything. */
    public synchronized boolean isEmpty() {
        return changes.isEmpty();
    }

    /**
     * Writes {@code batch} through {@code write}, remembering each of its records' value before
     * (read first; the callers write under the lock of the record's key or object, which an undo
     * takes too, so no one else changes it meanwhile)
     * and the sealed value the batch stored. A write that fails leaves nothing remembered: the
     * store refuses every write after a failed one, so there is nothing left to undo by then. The
     * scope's monitor is not held while the write waits for the disk.
     */
    void write(BarrierStore barrier, BarrierStore.Batch batch, Runnable write) {
        Set<String> keys = batch.keys();
        Map<String, Optional<byte[]>> before = new LinkedHashMap<>();
        synchronized (this) {
            if (undone) {
                throw KmsError.precondition("this undo scope was already undone");
            }
            for (String key : keys) {
                Change known = changes.get(key);
                before.put(key, known != null ? known.before() : barrier.sealedValue(key));
            }
        }
        write.run();
        synchronized (this) {
            for (String key : keys) {
                changes.put(key, new Change(before.get(key), batch.sealedValue(key)));
            }
        }
    }

    /** The keys of the records the group changed. */
    synchronized Set<String> keys() {
        return Set.copyOf(changes.keySet());
    }

    /** The keys of the records the group created (absent before it). */
    synchronized Set<String> created() {
        Set<String> created = new LinkedHashSet<>();
        changes.forEach((key, change) -> {
            if (change.before().isEmpty()) {
                created.add(key);
            }
        });
        return created;
    }

    /**
     * Adds to {@code batch} the puts that bring every record the group changed, and that existed
     * before it, back to its value before; what the group created is for the caller to decide
     * ({@link #created}): an undo never erases it.
     */
    synchronized BarrierStore.Batch restoring(BarrierStore.Batch batch) {
        changes.forEach((key, change) -> change.before().ifPresent(sealed -> batch.restore(key, sealed)));
        return batch;
    }

    /**
     * Refuses (FAILED_PRECONDITION) unless every changed record still holds exactly what the group
     * left: a change another call made since must not be overwritten by the undo. The message names
     * the kind of record and its key or object, not where it is stored.
     */
    synchronized void requireUnchanged(BarrierStore barrier) {
        if (undone) {
            throw KmsError.precondition("this undo scope was already undone");
        }
        for (Map.Entry<String, Change> entry : changes.entrySet()) {
            Optional<byte[]> now = barrier.sealedValue(entry.getKey());
            Optional<byte[]> left = entry.getValue().after();
            boolean same = now.isPresent() == left.isPresent()
                    && (now.isEmpty() || Arrays.equals(now.get(), left.get()));
            if (!same) {
                throw KmsError.precondition("cannot undo: " + recordName(entry.getKey())
                        + " was changed by another call after this batch changed it; nothing was undone");
            }
        }
    }

    /** "key 1234-...", "ver 1234-..." for a stored record {@code t/<project>/<region>/<kind>/<id>[/...]}. */
    private static String recordName(String storageKey) {
        String[] parts = storageKey.split("/", 6);
        return parts.length >= 5 ? parts[3] + " " + parts[4] : "a record";
    }

    /** Marks the scope spent: its calls cannot write through it any more. */
    synchronized void markUndone() {
        undone = true;
    }

    @Override
    public synchronized String toString() {
        return "UndoScope[" + changes.size() + " records]";
    }
}
