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
import dev.tresor.kms.service.SignRequest;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.Caller;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** RSA-2048 OAEP decrypt and PSS sign through the service, beside raw JCA doing the same. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class RsaBenchmark {
    private static final OAEPParameterSpec OAEP_SHA256 = new OAEPParameterSpec("SHA-256", "MGF1",
            MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
    private static final PSSParameterSpec PSS_SHA256 = new PSSParameterSpec("SHA-256", "MGF1",
            MGF1ParameterSpec.SHA256, 32, 1);

    private BenchCore core;
    private KeyManagement kms;
    private Caller caller;
    private VersionRef oaepKey;
    private VersionRef pssKey;
    private Bytes oaepCiphertext;
    private final Bytes message = Bytes.of(new byte[32]);
    private KeyPair rawPair;
    private byte[] rawCiphertext;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        core = BenchCore.open();
        kms = core.keyManagement();
        caller = core.newCaller();
        String ring = kms.createKeyRing(caller, new CreateKeyRing("bench", Optional.empty())).id();
        oaepKey = version(ring, Algorithm.RSA_2048_OAEP_SHA256);
        pssKey = version(ring, Algorithm.RSA_2048_PSS_SHA256);
        oaepCiphertext = kms.encrypt(caller, EncryptRequest.envelope(oaepKey, message)).data();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        rawPair = generator.generateKeyPair();
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(Cipher.ENCRYPT_MODE, rawPair.getPublic(), OAEP_SHA256);
        rawCiphertext = cipher.doFinal(message.toArray());
    }

    private VersionRef version(String ring, Algorithm algorithm) {
        Key key = kms.createKey(caller, CreateKey.rest(ring, algorithm.wireName(), Optional.empty(), algorithm,
                "software", Key.AccessScope.PUBLIC, false));
        return KeyRef.of(ring, key.id()).version(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        core.close();
    }

    @Benchmark
    public Bytes serviceOaepDecrypt2048() {
        return kms.decrypt(caller, DecryptRequest.envelope(oaepKey, oaepCiphertext));
    }

    @Benchmark
    public Bytes servicePssSign2048() {
        return kms.sign(caller, SignRequest.message(pssKey, message));
    }

    @Benchmark
    public byte[] rawJcaOaepDecrypt2048() throws Exception {
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(Cipher.DECRYPT_MODE, rawPair.getPrivate(), OAEP_SHA256);
        return cipher.doFinal(rawCiphertext);
    }

    @Benchmark
    public byte[] rawJcaPssSign2048() throws Exception {
        Signature signature = Signature.getInstance("RSASSA-PSS");
        signature.setParameter(PSS_SHA256);
        signature.initSign(rawPair.getPrivate());
        signature.update(message.toArray());
        return signature.sign();
    }
}
