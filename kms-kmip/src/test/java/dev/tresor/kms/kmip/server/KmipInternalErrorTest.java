package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.testing.LoggedRecords;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review s9 n5: an INTERNAL error's message may carry RocksDB's text with the data directory's
 * path, or name a stored record that cannot be read. A KMIP client is told only "internal error",
 * as a REST client is, and the server logs the error itself, with its cause, once.
 */
class KmipInternalErrorTest {
    @TempDir
    Path dir;

    @Test
    void aCreateWhoseStoreFailedAnswersGeneralFailureInternalErrorAndTheServerLogsTheFailureWithItsCauses() throws Exception {
        BreakableRocksDb breakable = new BreakableRocksDb(KmsCore.storeDirectory(dir));
        try (KmipTestServer server = KmipTestServer.start(dir, breakable.store());
             KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            kmip.createAes256();
            breakable.failCommits();

            Ttlv refused;
            List<LogRecord> logged;
            try (LoggedRecords logs = LoggedRecords.of(KmipErrors.class)) {
                refused = kmip.item(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02), kmip.attributes(
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C)));
                logged = logs.records();
            }

            assertEquals(ResultReason.GENERAL_FAILURE.code(), Requests.reason(refused));
            assertEquals("internal error", refused.require(Tag.RESULT_MESSAGE).asText());
            assertEquals(1, logged.size(), () -> logged.stream().map(LogRecord::getMessage).toList().toString());
            assertEquals(Level.SEVERE, logged.get(0).getLevel());
            KmsError error = assertInstanceOf(KmsError.class, logged.get(0).getThrown());
            assertEquals(ErrorCode.INTERNAL, error.code());
            assertEquals("audit log unavailable", error.getMessage());
            KmsError storeFailed = assertInstanceOf(KmsError.class, error.getCause());
            assertTrue(storeFailed.getMessage().startsWith("store failed: "), storeFailed.getMessage());
            assertNotNull(storeFailed.getCause(), "RocksDB's exception is logged with it");
        }
    }
}
