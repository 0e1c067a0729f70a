package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.Encrypted;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KMIP key stored before the core kept its dates has them only in its stored KMIP attributes;
 * the pass at start gives them to the core, so the core call REST makes obeys them too.
 */
class KmipDatesBackfillTest {
    private static final Bytes DATA = Bytes.of(new byte[] {7, 7});

    @TempDir
    Path dir;
    private TestCore core;
    private KeyManagement keys;
    private Caller admin;
    private Instant now;

    @BeforeEach
    void open() {
        core = TestCore.open(dir);
        keys = core.core().keyManagement();
        TenantId tenant = core.newProject();
        admin = TestCore.caller(tenant, Role.ADMIN);
        core.newProject();
        now = core.clock().instant();
    }

    @AfterEach
    void close() {
        core.close();
    }

    /** A key as a build before the core kept periods stored it: the dates in its KMIP attributes only. */
    private VersionRef storedByAnOlderBuild(String ring, Ttlv... dates) {
        Map<String, List<Ttlv>> stored = new java.util.LinkedHashMap<>();
        stored.put("Cryptographic Algorithm", List.of(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03)));
        for (Ttlv date : dates) {
            stored.put(date.tag() == Tag.PROTECT_STOP_DATE.code() ? "Protect Stop Date" : "Process Start Date",
                    List.of(date));
        }
        Key key = keys.createKey(admin, CreateKey.typed(ring, "older", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), KmipObjects.encode(1, false, stored)));
        assertEquals(UsePeriod.ALWAYS, key.usePeriod(1), "stored as an older build did: no period in the core");
        return KeyRef.byId(key.id()).version(1);
    }

    private String ring(String name) {
        return keys.createKeyRing(admin, new CreateKeyRing(name, Optional.empty())).id();
    }

    private long backfillRecords() {
        return keys.exportAudit(admin, Instant.EPOCH, now.plus(Duration.ofDays(1))).stream()
                .filter(r -> r.operation().equals("key.dates-backfilled")).count();
    }

    private static void refused(String because, Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.FAILED_PRECONDITION, error.code());
        assertTrue(error.getMessage().contains(because), error.getMessage());
    }

    @Test
    void theCoreTakesTheStoredDatesOnceAndRestObeysThem() {
        String kmip = ring(KmipObjects.RING);
        VersionRef stopped = storedByAnOlderBuild(kmip, Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.minusSeconds(3600)));
        VersionRef notYet = storedByAnOlderBuild(kmip, Ttlv.dateTime(Tag.PROCESS_START_DATE, now.plusSeconds(3600)));
        Encrypted sealed = keys.encrypt(admin, EncryptRequest.envelope(notYet, DATA));
        DecryptRequest open = new DecryptRequest(notYet, sealed.data(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), true);
        assertEquals(1, keys.encrypt(admin, EncryptRequest.envelope(stopped, DATA)).version(),
                "before the pass the core knows no date");

        KmipDatesBackfill backfill = new KmipDatesBackfill(keys, core.core().administration());
        assertEquals(2, backfill.run());

        refused("past its Protect Stop Date", () -> keys.encrypt(admin, EncryptRequest.envelope(stopped, DATA)));
        refused("before its Process Start Date", () -> keys.decrypt(admin, open));
        assertEquals(2, backfillRecords());
        assertEquals(0, backfill.run(), "a second start writes nothing");
        assertEquals(2, backfillRecords());
    }

    @Test
    void keysOutsideTheKmipRingAreLeftAlone() {
        VersionRef other = storedByAnOlderBuild(ring("apps"),
                Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.minusSeconds(3600)));

        assertEquals(0, new KmipDatesBackfill(keys, core.core().administration()).run());
        assertEquals(1, keys.encrypt(admin, EncryptRequest.envelope(other, DATA)).version());
    }
}
