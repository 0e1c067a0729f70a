package dev.tresor.kms.bench;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.Caller;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
import org.openjdk.jmh.annotations.Threads;

/**
 * AES-256-GCM encrypt + decrypt through {@link KeyManagement} (key cached, audit included) beside
 * the same work done with raw JCA, so the service overhead is a ratio.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class CoreEncryptBenchmark {
    @Param({"1024", "65536"})
    int size;

    private BenchCore core;
    private KeyManagement kms;
    private Caller caller;
    private VersionRef version;
    private Bytes plaintext;
    private byte[] raw;
    private SecretKeySpec rawKey;
    /** One generator per thread, so the raw baseline does not measure a shared lock. */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    @Setup(Level.Trial)
    public void setUp() {
        core = BenchCore.open();
        kms = core.keyManagement();
        caller = core.newCaller();
        String ring = kms.createKeyRing(caller, new CreateKeyRing("bench", Optional.empty())).id();
        Key key = kms.createKey(caller, CreateKey.rest(ring, "aes", Optional.empty(), Algorithm.AES_256_GCM,
                "software", Key.AccessScope.PUBLIC, false));
        version = KeyRef.of(ring, key.id()).version(1);
        raw = new byte[size];
        RANDOM.get().nextBytes(raw);
        plaintext = Bytes.of(raw);
        byte[] keyBytes = new byte[32];
        RANDOM.get().nextBytes(keyBytes);
        rawKey = new SecretKeySpec(keyBytes, "AES");
        kms.decrypt(caller, DecryptRequest.envelope(version, kms.encrypt(caller, EncryptRequest.envelope(version, plaintext)).data()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        core.close();
    }

    @Benchmark
    public Bytes serviceEncryptDecrypt() {
        Bytes ciphertext = kms.encrypt(caller, EncryptRequest.envelope(version, plaintext)).data();
        return kms.decrypt(caller, DecryptRequest.envelope(version, ciphertext));
    }

    @Benchmark
    public Bytes serviceEncrypt() {
        return kms.encrypt(caller, EncryptRequest.envelope(version, plaintext)).data();
    }

    /**
     * Many callers at once: every call's audit record must be durable before it answers, so a
     * single caller waits for one fsync per call; concurrent callers share them (group commit).
     */
    @Benchmark
    @Threads(64)
    public Bytes serviceEncrypt64Callers() {
        return kms.encrypt(caller, EncryptRequest.envelope(version, plaintext)).data();
    }

    @Benchmark
    @Threads(64)
    public byte[] rawJcaEncrypt64Threads() throws Exception {
        return rawJcaEncrypt();
    }

    @Benchmark
    public byte[] rawJcaEncryptDecrypt() throws Exception {
        byte[] nonce = new byte[12];
        RANDOM.get().nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
        byte[] ciphertext = cipher.doFinal(raw);
        Cipher decipher = Cipher.getInstance("AES/GCM/NoPadding");
        decipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
        return decipher.doFinal(ciphertext);
    }

    @Benchmark
    public byte[] rawJcaEncrypt() throws Exception {
        byte[] nonce = new byte[12];
        RANDOM.get().nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
        return cipher.doFinal(raw);
    }
}
