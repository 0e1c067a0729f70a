package dev.tresor.kms.store;

import static dev.tresor.kms.store.StoreContract.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbStoreTest implements StoreContract {
    @TempDir
    Path dir;

    @Override
    public Store newStore() {
        return RocksDbStore.open(dir.resolve("db"));
    }

    @Test
    void committedBatchesSurviveReopening() {
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("a"), b("1")).put(b("b"), b("2")));
            store.write(new WriteBatch().delete(b("a")));
        }
        try (Store reopened = newStore()) {
            assertEquals(Optional.empty(), reopened.get(b("a")));
            assertArrayEquals(b("2"), reopened.get(b("b")).orElseThrow());
        }
    }

    @Test
    void closeCommitsEverythingAlreadySubmitted() {
        List<CompletableFuture<Void>> pending;
        try (Store store = newStore()) {
            pending = Stream.of("x", "y", "z").map(k -> store.submit(new WriteBatch().put(b(k), b(k)))).toList();
        }
        pending.forEach(f -> assertTrue(f.isDone() && !f.isCompletedExceptionally()));
        try (Store reopened = newStore()) {
            assertEquals(3, reopened.scan(b("")).size());
        }
    }

    @Test
    void batchesQueuedWhileOneIsWrittenShareOneSyncedWrite() throws InterruptedException {
        try (RocksDbStore store = RocksDbStore.open(dir.resolve("db"))) {
            Thread test = Thread.currentThread();
            CountDownLatch committerHeld = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // A batch's completion runs on the committer: there it holds the committer while more queue
            // up (if the batch was durable before the callback was attached, it runs here; try again).
            CompletableFuture<Boolean> holding;
            do {
                holding = store.submit(new WriteBatch().put(b("first"), b("1"))).thenApply(durable -> {
                    if (Thread.currentThread() == test) {
                        return false;
                    }
                    committerHeld.countDown();
                    awaitUninterruptibly(release);
                    return true;
                });
            } while (holding.isDone() && !holding.join());
            committerHeld.await();
            long before = store.syncedWrites();
            List<CompletableFuture<Void>> queued = IntStream.range(0, 16)
                    .mapToObj(i -> store.submit(new WriteBatch().put(b("k" + i), b("v" + i)))).toList();
            release.countDown();
            queued.forEach(CompletableFuture::join);
            assertTrue(holding.join());
            assertEquals(before + 1, store.syncedWrites(), "the 16 batches queued meanwhile share one synced write");
            assertEquals(17, store.scan(b("")).size());
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void compactRemovesDeletedValuesFromEveryFileOnDisk() {
        byte[] marker = new byte[48];
        new SecureRandom().nextBytes(marker);
        try (Store store = newStore()) {
            store.write(new WriteBatch().put(b("purged"), marker).put(b("kept"), b("still here")));
            store.compact();
            assertTrue(filesContain(dir, marker), "the value reached the storage files");

            store.write(new WriteBatch().delete(b("purged")));
            store.compact();
            assertFalse(filesContain(dir, marker), "no file under the data dir still holds the purged value");
            assertArrayEquals(b("still here"), store.get(b("kept")).orElseThrow());
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedAndTheFirstStaysUsable() {
        try (Store first = newStore()) {
            KmsError e = assertThrows(KmsError.class, this::newStore);
            assertEquals(ErrorCode.INTERNAL, e.code());
            assertTrue(e.getMessage().startsWith("cannot open the store at "), e.getMessage());
            first.write(new WriteBatch().put(b("still"), b("usable")));
            assertArrayEquals(b("usable"), first.get(b("still")).orElseThrow());
        }
    }

    private static boolean filesContain(Path root, byte[] needle) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).anyMatch(f -> {
                try {
                    return indexOf(Files.readAllBytes(f), needle) >= 0;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
