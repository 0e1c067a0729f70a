package dev.tresor.kms.store;

import java.util.Arrays;
import java.util.Optional;

/** Prefix arithmetic on unsigned byte keys. */
final class KeyPrefix {
    private KeyPrefix() {
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}; empty when there is
     * none (the prefix is empty or all 0xFF).
     */
    static Optional<byte[]> successor(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] next = Arrays.copyOf(prefix, i + 1);
                next[i]++;
                return Optional.of(next);
            }
        }
        return Optional.empty();
    }
}
