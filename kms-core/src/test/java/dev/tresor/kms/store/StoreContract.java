package dev.tresor.kms.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link Store} must show; each implementation's test implements this interface. */
interface StoreContract {

    /** A fresh, empty store; each test closes what it opens. */
    Store newStore();

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static List<String> keysOf(List<Entry> entries) {
        return entries.stream().map(e -> new String(e.key(), UTF_8)).toList();
    }

    @Test
    default void getOfMissingKeyIsEmpty() {
        try (Store store = newStore()) {
            assertEquals(Optional.empty(), store.get(b("nothing/here")));
        }
    }

    @Test
    default void putThenGetReturnsTheValue() {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("a"), b("one")));
            assertArrayEquals(b("one"), store.get(b("a")).orElseThrow());
        }
    }

    @Test
    default void putOverwritesTheValue() {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("a"), b("one")));
            store.write(new WriteBatch().put(b("a"), b("two")));
            assertArrayEquals(b("two"), store.get(b("a")).orElseThrow());
            assertEquals(1, store.scan(b("")).size());
        }
    }

    @Test
    default void deleteRemovesTheKeyAndDeletingMissingKeysIsNoError() {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("a"), b("one")).put(b("b"), b("two")));
            store.write(new WriteBatch().delete(b("a")).delete(b("never-written")));
            assertEquals(Optional.empty(), store.get(b("a")));
            assertEquals(List.of("b"), keysOf(store.scan(b(""))));
        }
    }

    @Test
    default void batchAppliesItsMutationsInOrder() {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("k"), b("first")).delete(b("k")).put(b("j"), b("1")).put(b("j"), b("2")));
            assertEquals(Optional.empty(), store.get(b("k")));
            assertArrayEquals(b("2"), store.get(b("j")).orElseThrow());
        }
    }

    @Test
    default void writeBatchCopiesWhatItIsGiven() {
        try (Store store = newStore()) {
            byte[] key = b("k");
            byte[] value = b("secret");
            WriteBatch batch = new WriteBatch().put(key, value);
            key[0] = 'x';
            value[0] = 0;
            store.write(batch);
            assertArrayEquals(b("secret"), store.get(b("k")).orElseThrow());
        }
    }

    @Test
    default void emptyKeysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WriteBatch().put(new byte[0], b("v")));
        assertThrows(IllegalArgumentException.class, () -> new WriteBatch().delete(new byte[0]));
    }

    @Test
    default void scanReturnsExactlyThePrefixInAscendingOrder() {
        try (Store store = newStore()) {
            WriteBatch batch = new WriteBatch();
            for (String k : List.of("b/2", "a/1", "b/10", "b", "b/1", "c/1", "b0", "a")) {
                batch.put(b(k), b("v-" + k));
            }
            store.write(batch);
            assertEquals(List.of("b/1", "b/10", "b/2"), keysOf(store.scan(b("b/"))));
            assertEquals(List.of("a", "a/1", "b", "b/1", "b/10", "b/2", "b0", "c/1"), keysOf(store.scan(b(""))));
            assertEquals(List.of(), keysOf(store.scan(b("d"))));
            assertArrayEquals(b("v-b/10"), store.scan(b("b/10")).get(0).value());
        }
    }

    @Test
    default void scanComparesBytesUnsignedAndHandlesTheFfEdge() {
        try (Store store = newStore()) {
            store.write(new WriteBatch()
                    .put(bytes(0x01), b("low"))
                    .put(bytes(0x7F), b("mid"))
                    .put(bytes(0x80), b("high"))
                    .put(bytes(0xFF), b("ff"))
                    .put(bytes(0xFF, 0x00), b("ff00"))
                    .put(bytes(0xFF, 0xFF), b("ffff"))
                    .put(bytes(0xFF, 0xFF, 0x01), b("ffff01")));

            List<String> underFf = store.scan(bytes(0xFF)).stream().map(e -> new String(e.value(), UTF_8)).toList();
            assertEquals(List.of("ff", "ff00", "ffff", "ffff01"), underFf);
            List<String> underFfFf = store.scan(bytes(0xFF, 0xFF)).stream().map(e -> new String(e.value(), UTF_8)).toList();
            assertEquals(List.of("ffff", "ffff01"), underFfFf);
            List<String> all = store.scan(new byte[0]).stream().map(e -> new String(e.value(), UTF_8)).toList();
            assertEquals(List.of("low", "mid", "high", "ff", "ff00", "ffff", "ffff01"), all);
        }
    }

    @Test
    default void lastFindsTheGreatestKeyUnderAPrefix() {
        try (Store store = newStore()) {
            store.write(new WriteBatch()
                    .put(b("log/a/001"), b("1"))
                    .put(b("log/a/002"), b("2"))
                    .put(b("log/b"), b("other"))
                    .put(bytes(0xFF, 0x01), b("ff01"))
                    .put(bytes(0xFF, 0xFF), b("ffff")));

            assertArrayEquals(b("2"), store.last(b("log/a/")).orElseThrow().value());
            assertArrayEquals(b("other"), store.last(b("log/")).orElseThrow().value());
            assertArrayEquals(b("ffff"), store.last(bytes(0xFF)).orElseThrow().value());
            assertArrayEquals(b("ffff"), store.last(new byte[0]).orElseThrow().value());
            assertArrayEquals(b("ff01"), store.last(bytes(0xFF, 0x01)).orElseThrow().value());
            assertEquals(Optional.empty(), store.last(b("log/c")));
            assertEquals(Optional.empty(), store.last(b("log/a/0010")));
        }
    }

    @Test
    default void aBatchIsSeenWholeOrNotAtAll() throws Exception {
        try (Store store = newStore()) {
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> writer = pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        store.write(new WriteBatch().put(b("pair/a"), b("v" + i)).put(b("pair/b"), b("v" + i)));
                    }
                });
                Future<?> reader = pool.submit(() -> {
                    Set<String> versionsSeen = new HashSet<>();
                    try {
                        while (versionsSeen.size() < 50) {
                            List<Entry> pair = store.scan(b("pair/"));
                            if (!pair.isEmpty()) {
                                assertEquals(2, pair.size());
                                assertArrayEquals(pair.get(0).value(), pair.get(1).value());
                                versionsSeen.add(new String(pair.get(0).value(), UTF_8));
                            }
                        }
                    } finally {
                        stop.set(true);
                    }
                });
                reader.get(60, TimeUnit.SECONDS);
                writer.get(60, TimeUnit.SECONDS);
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
        }
    }

    @Test
    default void concurrentSubmittersAreAllDurableAndCommitInSubmissionOrder() throws Exception {
        try (Store store = newStore()) {
            int threads = 8;
            int perThread = 50;
            Object submitLock = new Object();
            List<Integer> submitted = Collections.synchronizedList(new ArrayList<>());
            List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
            int[] next = {0};
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    workers.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            CompletableFuture<Void> done;
                            synchronized (submitLock) {
                                int n = ++next[0];
                                submitted.add(n);
                                done = store.submit(new WriteBatch()
                                        .put(b("item/" + n), b(Integer.toString(n)))
                                        .put(b("last"), b(Integer.toString(n))))
                                        .thenRun(() -> completed.add(n));
                            }
                            done.join();
                        }
                    }));
                }
                for (Future<?> w : workers) {
                    w.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            int total = threads * perThread;
            assertEquals(total, store.scan(b("item/")).size());
            assertEquals(Integer.toString(total), new String(store.get(b("last")).orElseThrow(), UTF_8));
            assertEquals(submitted, completed);
        }
    }

    @Test
    default void useAfterCloseFailsWithAClearError() {
        Store store = newStore();
        store.close();
        WriteBatch batch = new WriteBatch().put(b("late"), b("v"));
        assertTrue(store.submit(batch).isCompletedExceptionally());
        assertThrows(IllegalStateException.class, () -> store.write(batch));
        assertThrows(IllegalStateException.class, () -> store.get(b("late")));
        assertThrows(IllegalStateException.class, () -> store.scan(b("")));
        store.close();
    }

    @Test
    default void compactKeepsLiveDataAndDropsDeletedData() {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("keep"), b("1")).put(b("drop"), b("2")));
            store.compact();
            store.write(new WriteBatch().delete(b("drop")));
            store.compact();
            assertArrayEquals(b("1"), store.get(b("keep")).orElseThrow());
            assertEquals(List.of("keep"), keysOf(store.scan(b(""))));
        }
    }
}
