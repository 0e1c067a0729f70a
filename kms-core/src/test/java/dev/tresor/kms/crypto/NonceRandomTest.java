package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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

    @Test
    void noncesDrawnOnSeveralThreadsNeverRepeat() {
        SecureRandom nonces = NonceRandom.over(new SequenceRandom());
        Set<ByteBuffer> seen = Collections.synchronizedSet(new HashSet<>());
        int perThread = 5 * NonceRandom.BLOCK_BYTES / NONCE;
        Runnable draw = () -> {
            for (int i = 0; i < perThread; i++) {
                byte[] nonce = new byte[NONCE];
                nonces.nextBytes(nonce);
                assertTrue(seen.add(ByteBuffer.wrap(nonce)), "a nonce was handed out twice");
            }
        };
        CompletableFuture.allOf(CompletableFuture.runAsync(draw), CompletableFuture.runAsync(draw),
                CompletableFuture.runAsync(draw)).join();
        assertEquals(3 * perThread, seen.size());
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
