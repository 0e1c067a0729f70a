package dev.tresor.kms.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** Puts and deletes that a {@link Store} applies all together or not at all, in the order added. */
public final class WriteBatch {

    /** One change of a batch; the arrays are the batch's own copies, read only by the stores. */
    sealed interface Mutation permits Put, Delete {
        byte[] key();
    }

    record Put(byte[] key, byte[] value) implements Mutation {
        @Override
        public String toString() {
            return "Put[key " + key.length + " B, value " + value.length + " B]";
        }
    }

    record Delete(byte[] key) implements Mutation {
        @Override
        public String toString() {
            return "Delete[key " + key.length + " B]";
        }
    }

    private final List<Mutation> mutations = new ArrayList<>();

    /** Copies both arrays, so the caller may reuse or zero them afterwards. */
    public WriteBatch put(byte[] key, byte[] value) {
        Objects.requireNonNull(value, "value");
        mutations.add(new Put(checkedKey(key), value.clone()));
        return this;
    }

    public WriteBatch delete(byte[] key) {
        mutations.add(new Delete(checkedKey(key)));
        return this;
    }

    public boolean isEmpty() {
        return mutations.isEmpty();
    }

    List<Mutation> mutations() {
        return Collections.unmodifiableList(mutations);
    }

    private static byte[] checkedKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            throw new IllegalArgumentException("a store key must not be empty");
        }
        return key.clone();
    }
}
