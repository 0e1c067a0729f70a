package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NonceRandomTest {
    private static final int NONCE = 12;

    @Test
    void oneGeneratorCallServesABlockOfNoncesInTheGeneratorsOrder() {
        SequenceRandom generator = new SequenceRandom();
        SecureRandom nonces = NonceRandom.over(generator);
        int perBlock = NonceRandom.BLOCK_BYTES / NONCE;
        for (int i = 0; i < perBlock; i++) {
            byte[] nonce = new byte[NONCE];
            nonces.nextBytes(nonce);
            assertArrayEquals(generator.bytesAt(i * NONCE, NONCE), nonce, "nonce " + i);
        }
        assertEquals(1, generator.calls.get());

        byte[] next = new byte[NONCE];
        nonces.nextBytes(next);
        assertEquals(2, generator.calls.get(), "the block's tail too short for a nonce is left, a new block drawn");
        assertArrayEquals(generator.bytesAt(NonceRandom.BLOCK_BYTES, NONCE), next);
    }

    @Test
    void aRequestLargerThanABlockServesGoesToTheGenerator() {
        SequenceRandom generator = new SequenceRandom();
        SecureRandom nonces = NonceRandom.over(generator);
        byte[] large = new byte[NonceRandom.LARGEST_FROM_BLOCK + 1];
        nonces.nextBytes(large);
        assertEquals(1, generator.calls.get());
        assertArrayEquals(generator.bytesAt(0, large.length), large);

        byte[] nonce = new byte[NONCE];
        nonces.nextBytes(nonce);
        assertEquals(2, generator.calls.get(), "the large request took no block");
    }

    /**
     * Review s11 m3: {@code SecureRandom.nextBytes} holds the object's monitor around every call to a
     * generator it takes as not thread-safe; a nonce must be drawn while another thread holds it.
     */
    @Test
    void nextBytesDoesNotWaitForSecureRandomsLock() throws Exception {
        SecureRandom nonces = NonceRandom.over(new SequenceRandom());
        FutureTask<Void> draw = new FutureTask<>(() -> nonces.nextBytes(new byte[NONCE]), null);
        Thread drawing = new Thread(draw);
        drawing.setDaemon(true);
        synchronized (nonces) {
            drawing.start();
            assertDoesNotThrow(() -> draw.get(10, TimeUnit.SECONDS), "the nonce waited for the held monitor");
        }
    }

    /**
     * Each thread draws a count that is not a multiple of a block's nonces (review s11 m1): its last
     * block is left partly unused, so with one block shared by the threads another thread's next
     * nonce would come from the middle of it, whatever order the threads run in.
     */
    @Test
    void eachThreadHandsOutItsOwnBlocksInOrder() throws Exception {
        SecureRandom nonces = NonceRandom.over(new SequenceRandom());
        int threads = 3;
        int perThread = 5 * (NonceRandom.BLOCK_BYTES / NONCE) + 1;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Integer>>> drawn = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                drawn.add(pool.submit(() -> {
                    start.await();
                    List<Integer> positions = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        byte[] nonce = new byte[NONCE];
                        nonces.nextBytes(nonce);
                        positions.add(SequenceRandom.positionOf(nonce));
                    }
                    return positions;
                }));
            }
            Set<Integer> seen = new HashSet<>();
            for (Future<List<Integer>> thread : drawn) {
                List<Integer> positions = thread.get(1, TimeUnit.MINUTES);
                for (int i = 0; i < positions.size(); i++) {
                    int at = positions.get(i);
                    assertTrue(seen.add(at), "a nonce was handed out twice");
                    assertTrue(i == 0 ? at % NonceRandom.BLOCK_BYTES == 0
                                    : at == positions.get(i - 1) + NONCE || at % NonceRandom.BLOCK_BYTES == 0,
                            "a thread's nonces follow each other within its block, or start a new block");
                }
            }
            assertEquals(threads * perThread, seen.size());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A generator whose output is a running counter, one byte pair per step, so every slice is distinct. */
    private static final class SequenceRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        final AtomicInteger calls = new AtomicInteger();
        private int position;

        @Override
        public synchronized void nextBytes(byte[] bytes) {
            calls.incrementAndGet();
            System.arraycopy(bytesAt(position, bytes.length), 0, bytes, 0, bytes.length);
            position += bytes.length;
        }

        /** Where in the output a slice starting at an even position was taken from. */
        static int positionOf(byte[] slice) {
            return 2 * (((slice[0] & 0xFF) << 8) | (slice[1] & 0xFF));
        }

        byte[] bytesAt(int offset, int length) {
            byte[] out = new byte[length];
            for (int i = 0; i < length; i++) {
                int at = offset + i;
                int step = at / 2;
                out[i] = (byte) (at % 2 == 0 ? step >>> 8 : step);
            }
            return out;
        }
    }
}
