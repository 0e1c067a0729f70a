package dev.tresor.kms.bench;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.tenant.Caller;
import java.util.Optional;
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

/**
 * Durable AES key creates per second with 16 concurrent callers: each create is a synced RocksDB
 * write with its audit record, so this measures how well group commit shares fsyncs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class KeyCreateBenchmark {
    private BenchCore core;
    private KeyManagement kms;
    private Caller caller;
    private String ring;
    private final AtomicLong created = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
        core = BenchCore.open();
        kms = core.keyManagement();
        caller = core.newCaller();
        ring = kms.createKeyRing(caller, new CreateKeyRing("bench", Optional.empty())).id();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        core.close();
    }

    @Benchmark
    @Threads(16)
    public Key createAesKey16Callers() {
        return kms.createKey(caller, CreateKey.rest(ring, "aes" + created.incrementAndGet(), Optional.empty(),
                Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false));
    }

    @Benchmark
    @Threads(1)
    public Key createAesKey1Caller() {
        return kms.createKey(caller, CreateKey.rest(ring, "aes" + created.incrementAndGet(), Optional.empty(),
                Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false));
    }
}
