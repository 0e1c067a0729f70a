package dev.tresor.kms.bench.kmip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.server.KmipTestServer;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load client against the real KMIP listener (mutual TLS on loopback, a core on RocksDB). */
class LoadPhaseTest {
    private static final Duration NO_WARMUP = Duration.ZERO;
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final int SUCCESS = 0;
    private static final int OPERATION_FAILED = 1;

    @TempDir
    Path dataDir;

    @Test
    void eachConnectionKeepsOneCheckedEncryptInFlightAfterAnother() throws Exception {
        int connections = 4;
        try (KmipTestServer server = KmipTestServer.start(dataDir)) {
            LoadPhase phase = new LoadPhase(server.adminTls(), "localhost", server.kmipPort());

            PhaseResult result = phase.run("Tresor", Workload.ENCRYPT, connections, NO_WARMUP, ONE_SECOND);

            assertEquals(0, result.refusals(), () -> result.firstRefusal().orElse(""));
            assertTrue(result.operations() > 2 * connections, result::markdownRow);
            // a connection's exchanges never overlap, so their latencies fit in its share of the window,
            // and at least half of them last p50 or longer
            assertTrue(result.operations() / 2.0 * result.p50Millis() <= connections * result.seconds() * 1000,
                    result::markdownRow);
        }
    }

    @Test
    void answersOverTheProjectsBudgetAreRefusalsNotOperations() throws Exception {
        long callsPerHour = 5;
        try (KmipTestServer server = KmipTestServer.start(dataDir)) {
            LoadPhase phase = new LoadPhase(server.adminTlsOfNewProject(callsPerHour), "localhost", server.kmipPort());

            PhaseResult result = phase.run("Tresor", Workload.CREATE, 3, NO_WARMUP, ONE_SECOND);

            assertTrue(result.operations() > 0 && result.operations() <= callsPerHour, result::markdownRow);
            assertTrue(result.refusals() > 0, result::markdownRow);
            assertTrue(result.firstRefusal().orElseThrow().contains("0x"), result.firstRefusal()::orElseThrow);
        }
    }

    @Test
    void aMessageOfSeveralTlsRecordsCrossesBothWays() throws Exception {
        byte[] plaintext = new byte[60 * 1024];
        new SecureRandom().nextBytes(plaintext);
        try (KmipTestServer server = KmipTestServer.start(dataDir);
             KmipChannel channel = new KmipChannel(server.adminTls(), "localhost", server.kmipPort())) {
            String uid = KmipRequests.payload(channel.call(KmipRequests.createAes(256)))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            KmipRequests.payload(channel.call(KmipRequests.activate(uid)));

            Ttlv encrypted = KmipRequests.payload(channel.call(KmipRequests.encryptGcm(uid, Bytes.wrap(plaintext))));

            assertEquals(plaintext.length, encrypted.require(Tag.DATA).asBytes().length());
            assertEquals(uid, encrypted.require(Tag.UNIQUE_IDENTIFIER).asText());
        }
    }

    @Test
    void onlyAnswersToRequestsStartedAfterTheWarmUpAreCounted() {
        long measureFrom = 1_000_000;
        LoadPhase.Tally tally = new LoadPhase.Tally();

        tally.count(Workload.ENCRYPT, encrypted(), measureFrom - 1, measureFrom + 500, measureFrom);
        tally.count(Workload.ENCRYPT, encrypted(), measureFrom, measureFrom + 700, measureFrom);

        assertEquals(1, tally.latencies.count());
        assertEquals(700, Latencies.merged(List.of(tally.latencies))[0]);
        assertEquals(measureFrom + 700, tally.lastAnswer);
    }

    @Test
    void aRefusalDuringTheWarmUpIsReportedButNotCounted() {
        long measureFrom = 1_000_000;
        LoadPhase.Tally tally = new LoadPhase.Tally();

        tally.count(Workload.ENCRYPT, refused("over budget"), measureFrom - 1, measureFrom + 1, measureFrom);
        assertEquals(0, tally.refusals);
        assertTrue(tally.firstRefusal.orElseThrow().contains("over budget"));

        tally.count(Workload.ENCRYPT, refused("again"), measureFrom, measureFrom + 1, measureFrom);
        assertEquals(1, tally.refusals);
        assertEquals(0, tally.latencies.count());
        assertTrue(tally.firstRefusal.orElseThrow().contains("over budget"));
    }

    private static Ttlv encrypted() {
        return Ttlv.structure(Tag.RESPONSE_MESSAGE, Ttlv.structure(Tag.BATCH_ITEM,
                Ttlv.enumeration(Tag.RESULT_STATUS, SUCCESS),
                Ttlv.structure(Tag.RESPONSE_PAYLOAD,
                        Ttlv.bytes(Tag.DATA, Bytes.wrap(new byte[1024])),
                        Ttlv.bytes(Tag.AUTHENTICATED_ENCRYPTION_TAG, Bytes.wrap(new byte[KmipRequests.GCM_TAG_BYTES])))));
    }

    private static Ttlv refused(String message) {
        return Ttlv.structure(Tag.RESPONSE_MESSAGE, Ttlv.structure(Tag.BATCH_ITEM,
                Ttlv.enumeration(Tag.RESULT_STATUS, OPERATION_FAILED),
                Ttlv.text(Tag.RESULT_MESSAGE, message)));
    }
}
