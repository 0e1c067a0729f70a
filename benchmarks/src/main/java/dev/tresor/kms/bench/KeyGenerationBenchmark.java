package dev.tresor.kms.bench;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.tenant.Caller;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Time to create an RSA key through the service (generation + durable write) beside raw JCA generation. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class KeyGenerationBenchmark {
    @Param({"2048", "3072", "4096"})
    int bits;

    private BenchCore core;
    private KeyManagement kms;
    private Caller caller;
    private String ring;
    private Algorithm algorithm;
    private int created;

    @Setup(Level.Trial)
    public void setUp() {
        core = BenchCore.open();
        kms = core.keyManagement();
        caller = core.newCaller();
        ring = kms.createKeyRing(caller, new CreateKeyRing("bench", Optional.empty())).id();
        algorithm = Algorithm.fromWire("rsa_" + bits + "_pss_sha256").orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        core.close();
    }

    @Benchmark
    public Key serviceCreateRsaKey() {
        return kms.createKey(caller, CreateKey.rest(ring, "rsa" + created++, Optional.empty(), algorithm,
                "software", Key.AccessScope.PUBLIC, false));
    }

    @Benchmark
    public KeyPair rawJcaGenerate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }
}
