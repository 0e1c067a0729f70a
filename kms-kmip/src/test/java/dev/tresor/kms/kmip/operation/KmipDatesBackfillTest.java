package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
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
 * the core's pass at start ({@code KmsCore.backfillUsePeriods}) reads them with
 * {@link KmipDatesBackfill#storedPeriods}, so the core call REST makes obeys them too.
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

    private static Map<String, List<Ttlv>> stored(Ttlv... dates) {
        Map<String, List<Ttlv>> stored = new java.util.LinkedHashMap<>();
        stored.put("Cryptographic Algorithm", List.of(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03)));
        for (Ttlv date : dates) {
            stored.put(date.tag() == Tag.PROTECT_STOP_DATE.code() ? "Protect Stop Date" : "Process Start Date",
                    List.of(date));
        }
        return stored;
    }

    /** A key as a build before the core kept periods stored it: the dates in its KMIP attributes only. */
    private Key storedByAnOlderBuild(String ring, KeyType type, Set<KeyUsage> usages, Map<String, String> attributes) {
        Key key = keys.createKey(admin, CreateKey.typed(ring, "older", type, usages, Optional.of(false), attributes));
        assertEquals(UsePeriod.ALWAYS, key.usePeriod(1), "stored as an older build did: no period in the core");
        return key;
    }

    private VersionRef storedByAnOlderBuild(String ring, Ttlv... dates) {
        Key key = storedByAnOlderBuild(ring, KeyType.AES_256, Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT),
                KmipObjects.encode(1, false, stored(dates)));
        return KeyRef.byId(key.id()).version(1);
    }

    private String ring(String name) {
        return keys.createKeyRing(admin, new CreateKeyRing(name, Optional.empty())).id();
    }

    private List<AuditRecord> records(String operation) {
        return keys.exportAudit(admin, Instant.EPOCH, now.plus(Duration.ofDays(1))).stream()
                .filter(r -> r.operation().equals(operation)).toList();
    }

    private long backfillRecords() {
        return records("key.dates-backfilled").size();
    }

    private void backfill() {
        core.core().backfillUsePeriods(KmipDatesBackfill.RULE, KmipDatesBackfill::storedPeriods);
    }

    /** A start registers the pass once: a second pass is a restart's. */
    private void startAgainAndBackfill() {
        core.close();
        core = TestCore.open(dir);
        keys = core.core().keyManagement();
        backfill();
    }

    private UsePeriod period(String keyId, long version) {
        return keys.getKey(admin, KeyRef.byId(keyId)).usePeriod(version);
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

        backfill();

        refused("past its Protect Stop Date", () -> keys.encrypt(admin, EncryptRequest.envelope(stopped, DATA)));
        refused("before its Process Start Date", () -> keys.decrypt(admin, open));
        assertEquals(2, backfillRecords());
        startAgainAndBackfill();
        assertEquals(2, backfillRecords(), "a second start writes nothing");
    }

    @Test
    void keysOfEveryRingAndEveryVersionGetTheirDates() {
        Instant stop = now.minusSeconds(3600);
        Instant start = now.plusSeconds(3600);
        VersionRef other = storedByAnOlderBuild(ring("apps"), Ttlv.dateTime(Tag.PROTECT_STOP_DATE, stop));
        ring(KmipObjects.RING);
        VersionRef secondKmipRing = storedByAnOlderBuild(ring(KmipObjects.RING),
                Ttlv.dateTime(Tag.PROTECT_STOP_DATE, stop));
        Map<String, String> twoVersions = new java.util.HashMap<>(KmipObjects.encode(1, false,
                stored(Ttlv.dateTime(Tag.PROTECT_STOP_DATE, stop))));
        twoVersions.putAll(KmipObjects.encode(2, false, stored(Ttlv.dateTime(Tag.PROCESS_START_DATE, start))));
        Key rotated = storedByAnOlderBuild(ring("more"), KeyType.AES_256, Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT),
                twoVersions);
        keys.rotateKey(admin, KeyRef.byId(rotated.id()));

        backfill();

        UsePeriod stopped = new UsePeriod(Optional.of(stop), Optional.empty());
        assertEquals(stopped, period(other.key().keyId(), 1));
        assertEquals(stopped, period(secondKmipRing.key().keyId(), 1));
        assertEquals(stopped, period(rotated.id(), 1));
        assertEquals(new UsePeriod(Optional.empty(), Optional.of(start)), period(rotated.id(), 2));
    }

    @Test
    void aLegacyKeyPairGetsNoPeriodAndADeletedKeyKeepsItsDatesWhenRestored() {
        Instant privateStop = now.minusSeconds(3600);
        Map<String, String> pair = new java.util.HashMap<>(KmipObjects.encode(1, false,
                stored(Ttlv.dateTime(Tag.PROTECT_STOP_DATE, privateStop))));
        pair.putAll(KmipObjects.encode(1, true, stored(Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.plusSeconds(7200)),
                Ttlv.dateTime(Tag.PROCESS_START_DATE, now.minusSeconds(7200)))));
        String kmip = ring(KmipObjects.RING);
        Key legacyPair = storedByAnOlderBuild(kmip, KeyType.EC_P256, Set.of(KeyUsage.SIGN, KeyUsage.VERIFY), pair);
        VersionRef deleted = storedByAnOlderBuild(kmip, Ttlv.dateTime(Tag.PROTECT_STOP_DATE, privateStop));
        keys.deleteKey(admin, deleted.key());

        backfill();

        assertEquals(UsePeriod.ALWAYS, period(legacyPair.id(), 1), "KMIP checks each half's own dates");
        keys.restoreKey(admin, deleted.key());
        assertEquals(new UsePeriod(Optional.of(privateStop), Optional.empty()), period(deleted.key().keyId(), 1));
    }

    /** Review dates3 n4: the private object's dates a build between the core keeping dates and the pair rule gave a pair's version. */
    @Test
    void aPeriodAnEarlierBuildGaveAKeyPairIsRemovedOnceAndRecordedWithTheDatesRemoved() {
        Instant privateStop = now.minusSeconds(3600);
        UsePeriod given = new UsePeriod(Optional.of(privateStop), Optional.empty());
        Map<String, String> pair = new java.util.HashMap<>(KmipObjects.encode(1, false,
                stored(Ttlv.dateTime(Tag.PROTECT_STOP_DATE, privateStop))));
        pair.putAll(KmipObjects.encode(1, true, stored()));
        Key key = keys.createKey(admin, new CreateKey(ring(KmipObjects.RING), "pair", Optional.empty(),
                KeyType.RSA_2048, Set.of(KeyUsage.SIGN, KeyUsage.VERIFY), Optional.empty(), "software",
                Key.AccessScope.PUBLIC, false, Optional.of(false), pair, Optional.empty(), given));
        assertEquals(given, period(key.id(), 1), "stored as 44b40bc did: the private object's dates in the core");

        backfill();

        assertEquals(UsePeriod.ALWAYS, period(key.id(), 1));
        List<AuditRecord> cleared = records("key.dates-cleared");
        assertEquals(1, cleared.size(), cleared.toString());
        assertEquals("system:use-periods", cleared.get(0).principal());
        assertTrue(cleared.get(0).resource().endsWith("/keys/" + key.id() + "/versions/1"), cleared.get(0).resource());
        assertEquals(Map.of("protectStop", privateStop.toString(), "processStart", "none"), cleared.get(0).details());
        assertEquals(0, backfillRecords());
        startAgainAndBackfill();
        assertEquals(1, records("key.dates-cleared").size(), "a second pass writes nothing");
    }

    @Test
    void unreadableStoredAttributesOfOneKeyDoNotStopTheOthers() {
        String kmip = ring(KmipObjects.RING);
        Key unreadable = storedByAnOlderBuild(kmip, KeyType.AES_256, Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT),
                Map.of("kmip/1/0", "not base64!"));
        VersionRef stopped = storedByAnOlderBuild(kmip, Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.minusSeconds(3600)));

        backfill();

        assertEquals(UsePeriod.ALWAYS, period(unreadable.id(), 1));
        refused("past its Protect Stop Date", () -> keys.encrypt(admin, EncryptRequest.envelope(stopped, DATA)));
    }
}
