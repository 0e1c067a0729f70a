package dev.tresor.kms.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.StoredPeriods;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import dev.tresor.kms.testing.UtcTestClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The system pass that gives key versions stored before the core kept use periods the period
 * their front-end attributes hold ({@link KmsCore#backfillUsePeriods}). Here a key's "front-end
 * attributes" are {@code stop/<version>} (a Protect Stop Date) and {@code broken} (unreadable).
 */
class UsePeriodBackfillTest {
    private static final Bytes DATA = Bytes.of(new byte[] {7, 7});
    /** TestCore's clock starts at 2026-01-01T00:00:00Z. */
    private static final String AN_HOUR_BEFORE_START = "2025-12-31T23:00:00Z";
    private static final String RULE = "stop-attributes-1";

    @TempDir
    Path dir;

    /** What a front-end reads from a key's attributes; counts the keys it was asked about. */
    private static class StoredStops implements Function<Key, StoredPeriods> {
        final List<String> asked = new ArrayList<>();
        boolean brokenFails = true;

        @Override
        public StoredPeriods apply(Key key) {
            asked.add(key.id());
            if (brokenFails && key.attributes().containsKey("broken")) {
                throw new IllegalArgumentException("unreadable stored attributes");
            }
            Map<Long, UsePeriod> periods = new TreeMap<>();
            key.attributes().forEach((name, value) -> {
                if (name.startsWith("stop/")) {
                    periods.put(Long.parseLong(name.substring(5)),
                            new UsePeriod(Optional.of(Instant.parse(value)), Optional.empty()));
                }
            });
            return StoredPeriods.fill(periods);
        }
    }

    private static Key legacyKey(KeyManagement keys, Caller caller, String ring, Map<String, String> attributes) {
        return keys.createKey(caller, CreateKey.typed(ring, "older", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), attributes));
    }

    private static String ring(KeyManagement keys, Caller caller) {
        return keys.createKeyRing(caller, new CreateKeyRing("apps", Optional.empty())).id();
    }

    private static void refused(ErrorCode code, String because, Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(code, error.code(), error.getMessage());
        assertTrue(error.getMessage().contains(because), error.getMessage());
    }

    @Test
    void eachVersionWithoutAPeriodGetsTheStoredOneAuditedBySystemAndNotChargedToTheTenant() {
        try (TestCore test = TestCore.open(dir)) {
            KeyManagement keys = test.core().keyManagement();
            Instant now = test.clock().instant();
            // ring, key, rotate, two encrypts and the audit export: the pass must take none of it
            Caller admin = TestCore.caller(test.newProject(6), Role.ADMIN);
            Key key = legacyKey(keys, admin, ring(keys, admin), Map.of(
                    "stop/1", now.minusSeconds(3600).toString(), "stop/2", now.plusSeconds(3600).toString()));
            keys.rotateKey(admin, KeyRef.byId(key.id()));

            test.core().backfillUsePeriods(RULE, new StoredStops());

            refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date",
                    () -> keys.encrypt(admin, EncryptRequest.envelope(KeyRef.byId(key.id()).version(1), DATA)));
            assertEquals(2, keys.encrypt(admin, EncryptRequest.envelope(KeyRef.byId(key.id()).version(2), DATA))
                    .version());
            List<AuditRecord> bySystem = keys.exportAudit(admin, Instant.EPOCH, now.plus(Duration.ofDays(1)))
                    .stream().filter(r -> r.principal().startsWith("system:")).toList();
            assertEquals(List.of("/versions/1", "/versions/2"), bySystem.stream()
                    .map(r -> r.resource().substring(r.resource().lastIndexOf('/') - 9)).toList());
            assertEquals(Map.of("protectStop", now.minusSeconds(3600).toString(), "processStart", "none"),
                    bySystem.get(0).details());
            assertTrue(bySystem.stream().allMatch(r -> r.principal().equals("system:use-periods")
                    && r.operation().equals("key.dates-backfilled")
                    && r.resource().startsWith("keyrings/" + key.keyRingId() + "/keys/" + key.id())), bySystem.toString());
        }
    }

    @Test
    void aPeriodTheCoreHasIsNeverReplacedSoNeverWidened() {
        try (TestCore test = TestCore.open(dir)) {
            KeyManagement keys = test.core().keyManagement();
            Instant now = test.clock().instant();
            Caller admin = TestCore.caller(test.newProject(), Role.ADMIN);
            UsePeriod kept = new UsePeriod(Optional.of(now.minusSeconds(60)), Optional.empty());
            Key key = keys.createKey(admin, new CreateKey(ring(keys, admin), "new", Optional.empty(), KeyType.AES_256,
                    Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.empty(), "software", Key.AccessScope.PUBLIC,
                    false, Optional.of(false), Map.of("stop/1", now.plusSeconds(3600).toString()), Optional.empty(),
                    kept));

            test.core().backfillUsePeriods(RULE, new StoredStops());

            assertEquals(kept, keys.getKey(admin, KeyRef.byId(key.id())).usePeriod(1));
            refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date",
                    () -> keys.encrypt(admin, EncryptRequest.envelope(KeyRef.byId(key.id()).version(1), DATA)));
        }
    }

    private final StoredStops stored = new StoredStops();

    @Test
    void aKeyThatFailsIsSkippedAndOnlyItIsTriedAgainAtEachStartUntilItSucceeds() {
        Caller first;
        Key broken;
        try (TestCore test = TestCore.open(dir)) {
            KeyManagement keys = test.core().keyManagement();
            first = TestCore.caller(test.newProject(), Role.ADMIN);
            Caller second = TestCore.caller(test.newProject(), Role.ADMIN);
            String ringOfFirst = ring(keys, first);
            Key before = legacyKey(keys, first, ringOfFirst, Map.of("stop/1", AN_HOUR_BEFORE_START));
            broken = legacyKey(keys, first, ringOfFirst, Map.of("stop/1", AN_HOUR_BEFORE_START, "broken", ""));
            Key after = legacyKey(keys, first, ringOfFirst, Map.of("stop/1", AN_HOUR_BEFORE_START));
            Key elsewhere = legacyKey(keys, second, ring(keys, second), Map.of("stop/1", AN_HOUR_BEFORE_START));

            test.core().backfillUsePeriods(RULE, stored);

            assertEquals(Set.of(before.id(), broken.id(), after.id(), elsewhere.id()), Set.copyOf(stored.asked));
            assertEquals(4, stored.asked.size(), "each key once");
            assertEquals(UsePeriod.ALWAYS, keys.getKey(first, KeyRef.byId(broken.id())).usePeriod(1));
            for (Key done : List.of(before, after)) {
                refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date",
                        () -> keys.encrypt(first, EncryptRequest.envelope(KeyRef.byId(done.id()).version(1), DATA)));
            }
            refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date",
                    () -> keys.encrypt(second, EncryptRequest.envelope(KeyRef.byId(elsewhere.id()).version(1), DATA)));
        }
        stored.asked.clear();
        startAgain();
        assertEquals(List.of(broken.id()), stored.asked, "only the key that failed is tried again");

        stored.brokenFails = false;
        stored.asked.clear();
        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods(RULE, stored);
            assertEquals(List.of(broken.id()), stored.asked);
            refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date", () -> test.core().keyManagement()
                    .encrypt(first, EncryptRequest.envelope(KeyRef.byId(broken.id()).version(1), DATA)));
        }
        stored.asked.clear();
        startAgain();
        assertEquals(List.of(), stored.asked, "nothing failed and nothing but this build wrote: no key is read");
    }

    /**
     * Review dates2 MAJOR 2: a build that keeps no use periods (here: one that runs no pass and so
     * notes nothing) creates a key with its dates only in its attributes after the pass completed.
     * The tenant's audit chain moved on without this build noting it, so the next start goes over
     * its keys again; a permanent "done" marker hid such keys for good.
     */
    @Test
    void aKeyABuildWithoutUsePeriodsStoredAfterAPassGetsItsPeriodAtTheNextStart() {
        Caller admin;
        String ring;
        try (TestCore test = TestCore.open(dir)) {
            admin = TestCore.caller(test.newProject(), Role.ADMIN);
            ring = ring(test.core().keyManagement(), admin);
            test.core().backfillUsePeriods(RULE, stored);
        }
        Key older;
        try (TestCore olderBuild = TestCore.open(dir)) {
            older = legacyKey(olderBuild.core().keyManagement(), admin, ring, Map.of("stop/1", AN_HOUR_BEFORE_START));
        }

        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods(RULE, stored);
            assertEquals(List.of(older.id()), stored.asked);
            refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date", () -> test.core().keyManagement()
                    .encrypt(admin, EncryptRequest.envelope(KeyRef.byId(older.id()).version(1), DATA)));
        }
    }

    /**
     * Review dates m3: a pass record this build cannot read (a later build's, whose field has another
     * type) counts as nothing seen, so the pass goes over every project; it failed every pass
     * before it started, at every start.
     */
    @Test
    void aPassRecordThisBuildCannotReadMeansAPassOverEveryProject() {
        StoredKey older = aStartStoringALegacyKey(false);
        rewritePassRecord(was -> "{\"rule\":\"" + RULE + "\",\"chainEnds\":\"a later build's\",\"failedKeys\":{}}");

        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods(RULE, stored);

            assertEquals(List.of(older.key().id()), stored.asked);
            older.assertRefusedPastItsStop(test);
        }
    }

    /**
     * Review dates4 m3: a record missing a map (a later build's that renamed it; JSON leaves it
     * null) counts as nothing seen; it threw for every project, so the pass went over none.
     */
    @Test
    void aPassRecordMissingWhatItSawMeansAPassOverEveryProject() {
        StoredKey given = aStartStoringALegacyKey(true);
        for (String map : List.of("failedKeys", "chainEnds")) {
            rewritePassRecord(was -> was.replace("\"" + map + "\"", "\"" + map + "Renamed\""));
            stored.asked.clear();

            startAgain();

            assertEquals(List.of(given.key().id()), stored.asked, "without " + map);
        }
    }

    /**
     * Review dates5 n3: so does a record naming a null failed key; the pass retried only that
     * null, failed it and stored it again, at every start, and never went over the tenant's keys.
     */
    @Test
    void aPassRecordNamingANullFailedKeyMeansAPassOverEveryProject() {
        StoredKey given = aStartStoringALegacyKey(true);
        String tenant = given.key().tenant().path();
        rewritePassRecord(was -> was.replace("\"failedKeys\":{}", "\"failedKeys\":{\"" + tenant + "\":[null]}"));
        stored.asked.clear();

        startAgain();

        assertEquals(List.of(given.key().id()), stored.asked);
        rewritePassRecord(was -> {
            assertTrue(was.contains("\"failedKeys\":{}"), was);
            return was;
        });
    }

    /** Review dates4 m3: so does a record whose value does not open; the pass skipped every project at every start. */
    @Test
    void aPassRecordThatDoesNotOpenMeansAPassOverEveryProject() {
        StoredKey given = aStartStoringALegacyKey(true);
        try (RocksDbStore store = RocksDbStore.open(KmsCore.storeDirectory(dir))) {
            BarrierStore barrier = SealManager.openDev(store, dir).barrierStore();
            byte[] sealedForAnotherKey = barrier.sealedValue(keyRecordPath(given.key())).orElseThrow();
            barrier.write(barrier.batch().restore("sys/pass/use-periods", sealedForAnotherKey));
        }
        stored.asked.clear();

        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods(RULE, stored);

            assertEquals(List.of(given.key().id()), stored.asked);
            given.assertRefusedPastItsStop(test);
        }
    }

    private static String keyRecordPath(Key key) {
        return "t/" + key.tenant().projectId() + "/" + key.tenant().regionId() + "/key/" + key.id();
    }

    private record StoredKey(Caller admin, Key key) {
        void assertRefusedPastItsStop(TestCore test) {
            refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date", () -> test.core().keyManagement()
                    .encrypt(admin, EncryptRequest.envelope(KeyRef.byId(key.id()).version(1), DATA)));
        }
    }

    /** A start that stores a key whose Protect Stop Date (an hour before) is in its attributes only, and runs the pass if {@code pass}. */
    private StoredKey aStartStoringALegacyKey(boolean pass) {
        try (TestCore test = TestCore.open(dir)) {
            KeyManagement keys = test.core().keyManagement();
            Caller admin = TestCore.caller(test.newProject(), Role.ADMIN);
            Key key = legacyKey(keys, admin, ring(keys, admin), Map.of("stop/1", AN_HOUR_BEFORE_START));
            if (pass) {
                test.core().backfillUsePeriods(RULE, stored);
            }
            return new StoredKey(admin, key);
        }
    }

    /** Rewrites the pass's stored record (JSON) as another build would, through the dev seal's barrier. */
    private void rewritePassRecord(UnaryOperator<String> rewrite) {
        try (RocksDbStore store = RocksDbStore.open(KmsCore.storeDirectory(dir))) {
            BarrierStore barrier = SealManager.openDev(store, dir).barrierStore();
            String was = barrier.get("sys/pass/use-periods").map(bytes -> new String(bytes, UTF_8)).orElse("");
            barrier.write(barrier.batch().put("sys/pass/use-periods", rewrite.apply(was).getBytes(UTF_8)));
        }
    }

    /**
     * Review dates m4: what a pass saw holds for its reader's rule only. A pass of another rule, or
     * a record of a build before rules (2eef179, whose pass never cleared a key pair's period), goes
     * over every project again, not only those whose audit chain moved.
     */
    @Test
    void anotherRuleOrARecordOfABuildBeforeRulesGoesOverEveryProjectAgain() {
        Key key = aStartStoringALegacyKey(true).key();
        assertEquals(List.of(key.id()), stored.asked);
        stored.asked.clear();
        startAgain();
        assertEquals(List.of(), stored.asked, "the same rule, no chain moved: nothing to go over");

        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods("stop-attributes-2", stored);
        }
        assertEquals(List.of(key.id()), stored.asked, "a new rule goes over every key");
        stored.asked.clear();
        rewritePassRecord(was -> was.replace("\"rule\":\"stop-attributes-2\",", ""));
        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods("stop-attributes-2", stored);
        }
        assertEquals(List.of(key.id()), stored.asked, "a record without a rule was written by no rule");
    }

    /** Review dates m4 and dates2 m5: a second pass would find every chain unchanged and never apply its reader. */
    @Test
    void aSecondUsePeriodPassIsRefused() {
        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods(RULE, stored);

            refused(ErrorCode.FAILED_PRECONDITION, "already registered",
                    () -> test.core().backfillUsePeriods("another-rule", new StoredStops()));
            refused(ErrorCode.INVALID_ARGUMENT, "rule", () -> test.core().backfillUsePeriods(" ", new StoredStops()));
            refused(ErrorCode.INVALID_ARGUMENT, "rule", () -> test.core().backfillUsePeriods(null, new StoredStops()));
        }
    }

    /**
     * Review dates m7, the scenario of dates2 MAJOR 2 itself: after the pass gave a key its period, a
     * build without use periods rewrites the key (its record without usePeriods, with an audit
     * record in the tenant's chain, as such a build wrote every change); the next start gives the
     * key its period again.
     */
    @Test
    void aKeyABuildWithoutUsePeriodsRewroteGetsItsPeriodAgainAtTheNextStart() throws Exception {
        StoredKey given = aStartStoringALegacyKey(true);
        rewriteAsABuildWithoutUsePeriods(given.key());
        stored.asked.clear();

        try (TestCore test = TestCore.open(dir)) {
            assertEquals(UsePeriod.ALWAYS, test.core().keyManagement().getKey(given.admin(),
                    KeyRef.byId(given.key().id())).usePeriod(1), "the older build dropped the period");
            test.core().backfillUsePeriods(RULE, stored);

            assertEquals(List.of(given.key().id()), stored.asked);
            given.assertRefusedPastItsStop(test);
        }
    }

    private void rewriteAsABuildWithoutUsePeriods(Key key) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (RocksDbStore store = RocksDbStore.open(KmsCore.storeDirectory(dir))) {
            BarrierStore barrier = SealManager.openDev(store, dir).barrierStore();
            String path = keyRecordPath(key);
            ObjectNode record = (ObjectNode) json.readTree(barrier.get(path).orElseThrow());
            assertTrue(record.remove("usePeriods") != null, "the pass gave the key its period: " + record);
            new AuditLog(barrier).record(new AuditEvent(Instant.parse("2026-01-01T00:00:00Z"), "token:older-build",
                    key.tenant().path(), "key.update", "keyrings/" + key.keyRingId() + "/keys/" + key.id(),
                    AuditEvent.OK, Map.of()), barrier.batch().put(path, json.writeValueAsBytes(record)));
        }
    }

    /** Review dates2 m3: after a failed commit no other key could be written either. */
    @Test
    void aFailedStoreEndsThePassAtItsFirstWrite() {
        BreakableRocksDb breakable = new BreakableRocksDb(KmsCore.storeDirectory(dir));
        try (KmsCore core = KmsCore.open(new KmsCore.Options(Optional.of(dir), true,
                MovableClock.at("2026-01-01T00:00:00Z"), Duration.ofDays(30), Duration.ofHours(24), 1000,
                Optional.empty()), breakable.store())) {
            KeyManagement keys = core.keyManagement();
            Caller admin = TestCore.caller(new TenantId(core.administration().createProject(TestCore.OPERATOR,
                    Optional.empty(), OptionalLong.empty(), KmipLegacy.NONE).id(), Regions.DEFAULT), Role.ADMIN);
            String ring = ring(keys, admin);
            for (int i = 0; i < 3; i++) {
                legacyKey(keys, admin, ring, Map.of("stop/1", AN_HOUR_BEFORE_START));
            }
            breakable.failCommits();

            core.backfillUsePeriods(RULE, stored);

            assertEquals(1, stored.asked.size(), "the pass ended at the first failed write: " + stored.asked);
        }
    }

    private void startAgain() {
        try (TestCore test = TestCore.open(dir)) {
            test.core().backfillUsePeriods(RULE, stored);
        }
    }

    @Test
    void anUnsealRunsThePassBeforeAnyDataCallIsServedAndOnlyOnce() {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        try (KmsCore core = shamirCore(clock)) {
            Administration administration = core.administration();
            Initialized started = initialize(core);
            String share = started.share();
            KeyManagement keys = core.keyManagement();
            Caller admin = started.admin();
            Key key = legacyKey(keys, admin, ring(keys, admin), Map.of("stop/1", clock.instant().minusSeconds(1).toString()));
            EncryptRequest encrypt = EncryptRequest.envelope(KeyRef.byId(key.id()).version(1), DATA);
            administration.seal(TestCore.OPERATOR);
            List<ErrorCode> duringThePass = new ArrayList<>();
            List<Readiness> readinessDuringThePass = new ArrayList<>();
            StoredStops stored = new StoredStops() {
                @Override
                public StoredPeriods apply(Key read) {
                    readinessDuringThePass.add(administration.readiness());
                    try {
                        keys.encrypt(admin, encrypt);
                    } catch (KmsError refused) {
                        duringThePass.add(refused.code());
                    }
                    return super.apply(read);
                }
            };

            core.backfillUsePeriods(RULE, stored);
            assertTrue(stored.asked.isEmpty(), "sealed: the pass waits for the unseal");
            administration.unseal(share);

            assertEquals(List.of(ErrorCode.SEALED), duringThePass, "no data call is served during the pass");
            assertEquals(List.of(Readiness.MIGRATING), readinessDuringThePass);
            refused(ErrorCode.FAILED_PRECONDITION, "past its Protect Stop Date", () -> keys.encrypt(admin, encrypt));
            assertEquals(Readiness.READY, administration.readiness());
            administration.unseal(share);
            administration.seal(TestCore.OPERATOR);
            administration.unseal(share);
            assertEquals(List.of(key.id()), stored.asked, "one pass: an unseal of an unsealed core runs none, "
                    + "and the seal noted what this build wrote since");
        }
    }

    /**
     * Review dates m1: the unseal that runs the pass has exactly one {@code seal.unseal} record (in
     * the operator's chain), written before the pass's records (the reader moves the clock, so a
     * record written after the pass's would not be earlier), and an unseal of an unsealed core adds none.
     */
    @Test
    void theUnsealThatRunsThePassIsAuditedOnceAndBeforeThePassWrites() {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        Initialized started;
        try (KmsCore core = shamirCore(clock)) {
            Administration administration = core.administration();
            started = initialize(core);
            started.storeALegacyKey(core);
            administration.seal(TestCore.OPERATOR);
            core.backfillUsePeriods(RULE, new StoredStops() {
                @Override
                public StoredPeriods apply(Key read) {
                    clock.advance(Duration.ofSeconds(1));
                    return super.apply(read);
                }
            });

            administration.unseal(started.share());
            administration.unseal(started.share());
        }

        List<AuditRecord> unseals = records(started.share(), "-", "seal.unseal");
        List<AuditRecord> backfilled = records(started.share(), started.tenant().path(), UsePeriodBackfill.OPERATION);
        assertEquals(1, unseals.size(), unseals.toString());
        assertEquals(1, backfilled.size(), backfilled.toString());
        assertTrue(unseals.get(0).time().isBefore(backfilled.get(0).time()), unseals + " " + backfilled);
    }

    /**
     * Review dates5 n1: an operator's seal that arrives while an unseal opens the barrier, before
     * the unseal's record, is recorded after that record (it was recorded before it, though the
     * seal came after the unseal).
     */
    @Test
    void aSealDuringAnUnsealIsRecordedAfterTheUnseal() throws Exception {
        ReadingClock clock = new ReadingClock();
        String share;
        try (KmsCore core = shamirCore(clock)) {
            Administration administration = core.administration();
            share = initialize(core).share();
            administration.seal(TestCore.OPERATOR);
            Thread sealer = new Thread(() -> administration.seal(TestCore.OPERATOR));
            clock.onNextReadingBy(Thread.currentThread(), () -> {
                sealer.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sealer.getState() != Thread.State.BLOCKED && sealer.getState() != Thread.State.TERMINATED
                        && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertTrue(sealer.getState() == Thread.State.BLOCKED || sealer.getState() == Thread.State.TERMINATED,
                        () -> "the concurrent seal waits on the seal's lock, not " + sealer.getState());
            });

            administration.unseal(share);
            sealer.join();

            assertEquals(Readiness.SEALED, administration.readiness());
        }
        assertEquals(List.of("seal.seal", "seal.unseal", "seal.seal"),
                records(share, "-", "seal.").stream().map(AuditRecord::operation).filter(op -> !op.equals("seal.init")).toList());
    }

    /** Review dates5 n1: a seal of a sealed Tresor seals nothing and is not recorded (it was, as a seal). */
    @Test
    void aSealOfASealedTresorIsNotRecorded() {
        String share;
        try (KmsCore core = shamirCore(MovableClock.at("2026-01-01T00:00:00Z"))) {
            share = initialize(core).share();
            core.administration().seal(TestCore.OPERATOR);
            core.administration().seal(TestCore.OPERATOR);
        }
        assertEquals(1, records(share, "-", "seal.seal").size());
    }

    /** A fixed time; the first reading by a given thread runs a given action first, on that thread. */
    private static final class ReadingClock extends UtcTestClock {
        private volatile Thread reader;
        private volatile Runnable action;

        void onNextReadingBy(Thread thread, Runnable first) {
            action = first;
            reader = thread;
        }

        @Override
        public Instant instant() {
            if (Thread.currentThread() == reader) {
                reader = null;
                action.run();
            }
            return Instant.parse("2026-01-01T00:00:00Z");
        }
    }

    /**
     * Review dates4 m6, m1 and m2: a seal while the pass reads a key, and a second unseal that
     * reopens the barrier before the read ends. The stopped pass writes nothing more (it wrote that
     * key's period through the second unseal's barrier, the check before the key being long past),
     * the second unseal is recorded as it opens (it was recorded only once the stopped pass ended),
     * and the second unseal's pass gives both keys their periods. Keys without dates have nothing to
     * write: then the check before each key alone stops the pass from reading the other one.
     */
    @ParameterizedTest(name = "keys with dates: {0}")
    @ValueSource(booleans = {true, false})
    void aPassSealedWhileItReadsAKeyWritesNothingOnceASecondUnsealReopens(boolean withDates) throws Exception {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        StoredStops stored = holdingTheFirstRead(clock, reading, goOn);
        Initialized started;
        Set<String> keyIds;
        Instant released;
        ExecutorService others = Executors.newCachedThreadPool();
        try (KmsCore core = shamirCore(clock)) {
            Administration administration = core.administration();
            started = initialize(core);
            KeyManagement keys = core.keyManagement();
            String ring = ring(keys, started.admin());
            Map<String, String> dates = withDates ? Map.of("stop/1", AN_HOUR_BEFORE_START) : Map.of();
            keyIds = Set.of(legacyKey(keys, started.admin(), ring, dates).id(),
                    legacyKey(keys, started.admin(), ring, dates).id());
            administration.seal(TestCore.OPERATOR);
            core.backfillUsePeriods(RULE, stored);

            Future<SealStatus> first = others.submit(() -> administration.unseal(started.share()));
            assertTrue(reading.await(10, TimeUnit.SECONDS));
            Future<SealStatus> second = sealAndUnsealAgain(administration, started.share(), clock, others);
            clock.advance(Duration.ofSeconds(1));
            released = clock.instant();
            goOn.countDown();

            first.get(10, TimeUnit.SECONDS);
            assertFalse(second.get(10, TimeUnit.SECONDS).sealed());
            assertEquals(Readiness.READY, administration.readiness());
        } finally {
            goOn.countDown();
            others.shutdownNow();
        }

        assertEquals(3, stored.asked.size(), stored.asked.toString());
        assertEquals(stored.asked.get(0), stored.asked.get(1), "the second run reads the key the first stopped in");
        assertEquals(keyIds, Set.copyOf(stored.asked), "the other key is read by the second run only");
        List<AuditRecord> seals = records(started.share(), "-", "seal.");
        assertEquals(List.of("seal.init", "seal.seal", "seal.unseal", "seal.seal", "seal.unseal"),
                seals.stream().map(AuditRecord::operation).toList());
        assertTrue(seals.get(4).time().isBefore(released), "the second unseal is recorded as it opens: " + seals);
        List<AuditRecord> backfilled = records(started.share(), started.tenant().path(), UsePeriodBackfill.OPERATION);
        assertEquals(withDates ? 2 : 0, backfilled.size(), backfilled.toString());
        assertTrue(backfilled.stream().allMatch(r -> r.time().isAfter(released)),
                "only the second unseal's pass writes, after the stopped one was let go at " + released + ": " + backfilled);
    }

    /**
     * Review dates5 n4: a seal and a second unseal while the pass reads its last key (without
     * dates: nothing to write). The stopped pass reaches its record of what it saw, which its guard
     * refuses: stored, it would make the second unseal's pass take the key as gone over.
     */
    @Test
    void aPassSealedWhileItReadsItsLastKeyDoesNotStoreWhatItSaw() throws Exception {
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        StoredStops stored = holdingTheFirstRead(clock, reading, goOn);
        String keyId;
        ExecutorService others = Executors.newCachedThreadPool();
        try (KmsCore core = shamirCore(clock)) {
            Administration administration = core.administration();
            Initialized started = initialize(core);
            KeyManagement keys = core.keyManagement();
            keyId = legacyKey(keys, started.admin(), ring(keys, started.admin()), Map.of()).id();
            administration.seal(TestCore.OPERATOR);
            core.backfillUsePeriods(RULE, stored);

            Future<SealStatus> first = others.submit(() -> administration.unseal(started.share()));
            assertTrue(reading.await(10, TimeUnit.SECONDS));
            Future<SealStatus> second = sealAndUnsealAgain(administration, started.share(), clock, others);
            goOn.countDown();

            first.get(10, TimeUnit.SECONDS);
            assertFalse(second.get(10, TimeUnit.SECONDS).sealed());
        } finally {
            goOn.countDown();
            others.shutdownNow();
        }

        assertEquals(List.of(keyId, keyId), stored.asked, "the second unseal's pass reads the key again");
    }

    /** Reads stored dates, moving the clock a second each; the first read waits for {@code goOn}. */
    private static StoredStops holdingTheFirstRead(MovableClock clock, CountDownLatch reading, CountDownLatch goOn) {
        return new StoredStops() {
            @Override
            public StoredPeriods apply(Key read) {
                clock.advance(Duration.ofSeconds(1));
                if (asked.isEmpty()) {
                    reading.countDown();
                    try {
                        assertTrue(goOn.await(30, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.apply(read);
            }
        };
    }

    /** Seals, then unseals again on {@code others} and answers that unseal once it opened the barrier. */
    private static Future<SealStatus> sealAndUnsealAgain(Administration administration, String share,
                                                         MovableClock clock, ExecutorService others) {
        administration.seal(TestCore.OPERATOR);
        clock.advance(Duration.ofSeconds(1));
        Future<SealStatus> second = others.submit(() -> administration.unseal(share));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (administration.sealStatus().sealed() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(administration.sealStatus().sealed(), "the second unseal opened the barrier");
        return second;
    }

    /**
     * Review dates4 m4: an Error in the pass closes the barrier again, and that seal is in the
     * operator's chain, by {@value Administration#RESEALER} with result INTERNAL naming the failure
     * (the chain read {@code seal.unseal, seal.unseal}).
     */
    @Test
    void anErrorInThePassSealsAgainAndThatSealIsAudited() {
        Initialized started;
        try (KmsCore core = shamirCore(MovableClock.at("2026-01-01T00:00:00Z"))) {
            Administration administration = core.administration();
            started = initialize(core);
            started.storeALegacyKey(core);
            administration.seal(TestCore.OPERATOR);
            core.backfillUsePeriods(RULE, new StoredStops() {
                @Override
                public StoredPeriods apply(Key read) {
                    if (asked.isEmpty()) {
                        asked.add(read.id());
                        throw new StackOverflowError("the reader ran out of stack");
                    }
                    return super.apply(read);
                }
            });

            assertThrows(StackOverflowError.class, () -> administration.unseal(started.share()));
            assertTrue(administration.sealStatus().sealed());
            administration.unseal(started.share());
        }

        List<AuditRecord> seals = records(started.share(), "-", "seal.");
        assertEquals(List.of("seal.init", "seal.seal", "seal.unseal", "seal.seal", "seal.unseal"),
                seals.stream().map(AuditRecord::operation).toList());
        AuditRecord resealed = seals.get(3);
        assertEquals(List.of("system:seal", "INTERNAL", "java.lang.StackOverflowError"),
                List.of(resealed.principal(), resealed.result(), resealed.details().get("failure")));
    }

    /** A core over {@code dir} with the Shamir seal, uninitialized: tests initialize it for its share. */
    private KmsCore shamirCore(Clock clock) {
        return KmsCore.open(new KmsCore.Options(Optional.of(dir), false, clock, Duration.ofDays(30),
                Duration.ofHours(24), 1000, Optional.empty()));
    }

    /** The one share of a core {@link #initialize}d, and a new project in it with its admin. */
    private record Initialized(String share, TenantId tenant, Caller admin) {
        /** A key whose Protect Stop Date (an hour before the start) is in its attributes only. */
        void storeALegacyKey(KmsCore core) {
            KeyManagement keys = core.keyManagement();
            legacyKey(keys, admin, ring(keys, admin), Map.of("stop/1", AN_HOUR_BEFORE_START));
        }
    }

    private static Initialized initialize(KmsCore core) {
        Administration administration = core.administration();
        String share = administration.initialize(1, 1).shares().get(0);
        TenantId tenant = new TenantId(administration.createProject(TestCore.OPERATOR, Optional.empty(),
                OptionalLong.empty(), KmipLegacy.NONE).id(), Regions.DEFAULT);
        return new Initialized(share, tenant, TestCore.caller(tenant, Role.ADMIN));
    }

    /** The records of {@code tenant}'s chain whose operation starts with {@code operation}, read once the core closed. */
    private List<AuditRecord> records(String share, String tenant, String operation) {
        try (RocksDbStore store = RocksDbStore.open(KmsCore.storeDirectory(dir))) {
            SealManager reader = SealManager.open(store);
            reader.unseal(share);
            return new AuditLog(reader.barrierStore()).export(tenant, Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"))
                    .stream().filter(r -> r.operation().startsWith(operation)).toList();
        }
    }
}
