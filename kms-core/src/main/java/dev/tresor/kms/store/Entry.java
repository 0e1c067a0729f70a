package dev.tresor.kms.store;

import java.util.Arrays;

/** One key and its value as read from a {@link Store}; the accessors hand out copies. */
public final class Entry {
    private final byte[] key;
    private final byte[] value;

    /** Takes ownership of both arrays. */
    Entry(byte[] key, byte[] value) {
        this.key = key;
        this.value = value;
    }

    public byte[] key() {
        return key.clone();
    }

    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry other && Arrays.equals(key, other.key) && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    /** Sizes only: values are ciphertext at best and key material at worst. */
    @Override
    public String toString() {
        return "Entry[key " + key.length + " B, value " + value.length + " B]";
    }
}
