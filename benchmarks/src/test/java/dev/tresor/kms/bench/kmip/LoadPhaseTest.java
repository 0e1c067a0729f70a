package dev.tresor.kms.bench.kmip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.server.KmipTestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load client against the real KMIP listener (mutual TLS on loopback, a core on RocksDB). */
class LoadPhaseTest {
    private static final Duration NO_WARMUP = Duration.ZERO;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dataDir;

    @Test
    void everyConnectionsCheckedEncryptIsCounted() throws Exception {
        try (KmipTestServer server = KmipTestServer.start(dataDir)) {
            LoadPhase phase = new LoadPhase(server.adminTls(), "localhost", server.kmipPort());

            PhaseResult result = phase.run("Tresor", Workload.ENCRYPT, 4, NO_WARMUP, ONE_SECOND);

            assertEquals(0, result.refusals(), () -> result.firstRefusal().orElse(""));
            assertTrue(result.operations() >= 4, "operations: " + result.operations());
            assertTrue(result.seconds() > 0 && result.p50Millis() > 0 && result.p99Millis() >= result.p50Millis(),
                    result::markdownRow);
        }
    }

    @Test
    void answersOverTheProjectsBudgetAreRefusalsNotOperations() throws Exception {
        long callsPerHour = 20;
        try (KmipTestServer server = KmipTestServer.start(dataDir)) {
            LoadPhase phase = new LoadPhase(server.adminTlsOfNewProject(callsPerHour), "localhost", server.kmipPort());

            PhaseResult result = phase.run("Tresor", Workload.CREATE, 3, NO_WARMUP, ONE_SECOND);

            assertTrue(result.operations() > 0 && result.operations() <= callsPerHour, result::markdownRow);
            assertTrue(result.refusals() > 0, result::markdownRow);
            assertTrue(result.firstRefusal().orElseThrow().contains("0x"), result.firstRefusal()::orElseThrow);
        }
    }
}
