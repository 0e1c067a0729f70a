package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.ProtocolVersion;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stopping the listener drains rather than waiting out its grace period for idle clients. */
class KmipServerStopTest {
    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void stoppingClosesAnIdleConnectionAtOnceAndRefusesNewOnes() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            assertEquals(ProtocolVersion.V2_1,
                    Requests.version(client.call(Requests.discoverVersions(ProtocolVersion.V2_1))));
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> LOOPBACK.server().stop(Duration.ofMinutes(5)),
                    "an idle connection must not hold the stop for the whole grace period");
            assertTrue(client.closedByServer());
            assertThrows(IOException.class, () -> LOOPBACK.server().client());
        }
    }
}
