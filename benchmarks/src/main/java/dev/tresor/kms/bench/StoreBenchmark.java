package dev.tresor.kms.bench;

import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.WriteBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/** The store alone: synced puts (1 and 16 writers sharing fsyncs) and gets of 256-byte values. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class StoreBenchmark {
    private static final int PRELOADED = 10_000;

    private RocksDbStore store;
    private final AtomicLong next = new AtomicLong(PRELOADED);
    private final byte[] value = new byte[256];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        store = RocksDbStore.open(Files.createTempDirectory("tresor-store-bench"));
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < PRELOADED; i++) {
            batch.put(key(i), value);
        }
        store.write(batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
    }

    private static byte[] key(long n) {
        return ByteBuffer.allocate(9).put((byte) 'k').putLong(n).array();
    }

    @Benchmark
    @Threads(1)
    public void syncedPut1Writer() {
        store.write(new WriteBatch().put(key(next.getAndIncrement()), value));
    }

    @Benchmark
    @Threads(16)
    public void syncedPut16Writers() {
        store.write(new WriteBatch().put(key(next.getAndIncrement()), value));
    }

    @Benchmark
    public Optional<byte[]> get() {
        return store.get(key(ThreadLocalRandom.current().nextInt(PRELOADED)));
    }
}
