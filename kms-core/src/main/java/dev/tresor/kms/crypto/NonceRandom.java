package dev.tresor.kms.crypto;

import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.Objects;

/**
 * Nonces and IVs drawn from a generator in blocks: each thread takes a block of the generator's
 * output at a time and hands it out a nonce at a time. Every encryption needs a fresh nonce, and
 * one call to the JDK's DRBG costs about a microsecond however few bytes it makes (it takes its
 * lock, hashes its state and updates it); from a block, a 12-byte nonce costs a copy.
 * {@link #nextBytes} goes to the thread's block directly, past the lock {@code SecureRandom} would
 * take around every call (it treats a generator without a provider as not thread-safe); a request
 * over {@code LARGEST_FROM_BLOCK} (64) bytes goes to the generator, under the generator's own lock.
 *
 * <p>Only for values that are stored or sent in the clear: key material and other secrets come
 * from the generator itself, never from a block kept in memory. A reseed of the generator reaches
 * the nonces of each thread's next block. The barrier does not use it: a restored copy of a VM or
 * JVM would replay a block, and a nonce repeated under the barrier key would expose every stored
 * record, so it draws each nonce from the operating system's generator.
 */
public final class NonceRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    static final int BLOCK_BYTES = 1024;
    /** Larger requests go to the generator directly: a block serves at least this many of them. */
    static final int LARGEST_FROM_BLOCK = BLOCK_BYTES / 16;

    private final BlockSpi blocks;

    private NonceRandom(BlockSpi blocks) {
        super(blocks, null);
        this.blocks = blocks;
    }

    @Override
    public void nextBytes(byte[] bytes) {
        blocks.engineNextBytes(Objects.requireNonNull(bytes));
    }

    /** Nonces drawn in blocks from {@code generator}. */
    public static SecureRandom over(SecureRandom generator) {
        return new NonceRandom(new BlockSpi(Objects.requireNonNull(generator)));
    }

    private static final class BlockSpi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private final SecureRandom generator;
        private final transient ThreadLocal<Block> blocks = ThreadLocal.withInitial(Block::new);

        BlockSpi(SecureRandom generator) {
            this.generator = generator;
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            if (bytes.length > LARGEST_FROM_BLOCK) {
                generator.nextBytes(bytes);
            } else {
                blocks.get().take(bytes, generator);
            }
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
            generator.setSeed(seed);
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            return generator.generateSeed(numBytes);
        }
    }

    /** One thread's block: the bytes from {@code next} on are not handed out yet. */
    private static final class Block {
        private final byte[] bytes = new byte[BLOCK_BYTES];
        private int next = BLOCK_BYTES;

        void take(byte[] out, SecureRandom generator) {
            if (BLOCK_BYTES - next < out.length) {
                generator.nextBytes(bytes);
                next = 0;
            }
            System.arraycopy(bytes, next, out, 0, out.length);
            next += out.length;
        }
    }
}
