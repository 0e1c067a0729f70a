package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM creates and rotates keys against RocksDB and is killed with SIGKILL at random
 * moments; after every restart each acknowledged key version is there and decrypts what it
 * encrypted, and every stored value still passes its barrier check.
 */
class CrashSafetyTest {
    private static final int ROUNDS = 20;

    private record Acknowledged(String keyId, long version, Bytes ciphertext) {
    }

    @TempDir
    Path dataDir;

    @Test
    void acknowledgedKeysSurviveKillMinus9() throws Exception {
        TenantId tenant;
        String ring;
        try (KmsCore core = KmsCore.open(options())) {
            tenant = new TenantId(core.administration().createProject(TestCore.OPERATOR, Optional.empty(),
                    java.util.OptionalLong.of(1_000_000), KmipLegacy.NONE).id(), "eu01");
            ring = core.keyManagement().createKeyRing(TestCore.caller(tenant, Role.ADMIN),
                    new CreateKeyRing("crash", Optional.empty())).id();
        }
        Random random = new Random(42);
        List<Acknowledged> acknowledged = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            acknowledged.addAll(runAndKill(tenant, ring, 200 + random.nextInt(900)));
            try (KmsCore core = KmsCore.open(options())) {
                assertTrue(core.verifyStoreIntegrity() > 0);
                Caller admin = TestCore.caller(tenant, Role.ADMIN);
                for (Acknowledged ack : acknowledged) {
                    VersionRef version = KeyRef.of(ring, ack.keyId()).version(ack.version());
                    assertEquals(CrashWorkload.plaintextFor(ack.keyId(), ack.version()),
                            core.keyManagement().decrypt(admin, DecryptRequest.envelope(version, ack.ciphertext())),
                            "round " + round + ": " + ack);
                }
            }
        }
    }

    private List<Acknowledged> runAndKill(TenantId tenant, String ring, long runMillis) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashWorkload.class.getName(),
                dataDir.toString(), tenant.projectId(), ring)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<Acknowledged> acknowledged = new ArrayList<>();
        CountDownLatch firstAcknowledged = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    String[] parts = line.split(" ");
                    if (parts.length == 4 && parts[0].equals("ACK")) {
                        synchronized (acknowledged) {
                            acknowledged.add(new Acknowledged(parts[1], Long.parseLong(parts[2]), Bytes.fromBase64(parts[3])));
                        }
                        firstAcknowledged.countDown();
                    }
                }
            } catch (IOException closedByKill) {
                // the child died mid-line: nothing after the last full line was acknowledged
            }
        });
        reader.start();
        // Every round acknowledges something however slow the machine, then runs a random while more,
        // so the kill lands at a random moment of the workload; no assertion depends on the timing.
        assertTrue(firstAcknowledged.await(120, TimeUnit.SECONDS), "the workload acknowledged nothing");
        Thread.sleep(runMillis);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        reader.join();
        synchronized (acknowledged) {
            return new ArrayList<>(acknowledged);
        }
    }

    private KmsCore.Options options() {
        return new KmsCore.Options(Optional.of(dataDir), true, Clock.systemUTC(), Duration.ofDays(30),
                Duration.ofHours(24), 1000, Optional.empty());
    }
}
