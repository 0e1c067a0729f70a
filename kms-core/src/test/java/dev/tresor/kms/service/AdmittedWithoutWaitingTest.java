package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.audit.AuditVerifier;
import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.ReleaseTerms;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.key.UsageLimit;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A front-end call tried on a thread that must not block (KMIP's event loop): it runs there only
 * when nothing in it would wait, and otherwise runs from the start on the executor for blocking
 * work, with the same outcome. Either way it takes exactly one token of the hourly budget and
 * leaves exactly one audit record, on an intact chain (real RocksDB in a temporary directory).
 */
class AdmittedWithoutWaitingTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");
    private static final long BUDGET = 1_000;
    private static final byte[] PLAIN = "attack at dawn".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dataDir;

    private final ExecutorService workers = Executors.newSingleThreadExecutor(task -> new Thread(task, "test-worker"));
    /** The threads that ran the item, in order: the caller's alone when it ran there, the worker's last when declined. */
    private final List<String> ranOn = new CopyOnWriteArrayList<>();
    private TestCore test;
    private TenantId tenant;
    private Caller admin;
    private Caller auditor;
    private String ring;

    @BeforeEach
    void open() {
        test = TestCore.open(dataDir);
        tenant = test.newProject(BUDGET);
        admin = TestCore.caller(tenant, Role.ADMIN);
        auditor = TestCore.caller(tenant, Role.AUDITOR);
        ring = kms().createKeyRing(admin, new CreateKeyRing("ring", Optional.empty())).id();
    }

    @AfterEach
    void close() {
        workers.shutdownNow();
        test.close();
    }

    private KeyManagement kms() {
        return test.core().keyManagement();
    }

    private VersionRef key(Algorithm algorithm) {
        Key key = kms().createKey(admin, CreateKey.rest(ring, "k", Optional.empty(), algorithm, "software",
                Key.AccessScope.PUBLIC, false));
        return KeyRef.byId(key.id()).primary();
    }

    private static EncryptRequest encryption(VersionRef key, Optional<Scheme> scheme) {
        return new EncryptRequest(key, Bytes.of(PLAIN), scheme, Optional.empty(), Optional.empty(), false);
    }

    /** The item a KMIP Encrypt is: one core encryption, under the admitted caller. */
    private Function<Caller, Encrypted> encrypting(EncryptRequest request) {
        return item -> {
            ranOn.add(Thread.currentThread().getName());
            return kms().encrypt(item, request);
        };
    }

    private <T> T tried(String operation, Function<Caller, T> item) {
        try {
            return kms().admittedWithoutWaiting(admin, operation, item, e -> ErrorCode.INTERNAL, workers).join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    private long tokensLeft() {
        return kms().rateLimitStatus(tenant).remaining();
    }

    /** The tenant's records, as operation and result, on an intact chain (the export's own record comes after). */
    private List<String> records() {
        List<AuditRecord> records = kms().exportAudit(auditor, Instant.EPOCH, FOREVER);
        assertInstanceOf(AuditVerifier.Intact.class, AuditVerifier.verify(records));
        return records.stream().map(r -> r.operation() + " " + r.result()).toList();
    }

    /** The records written since {@code before} was exported, past that export's own. */
    private List<String> recordsSince(List<String> before) {
        List<String> now = records();
        return now.subList(before.size() + 1, now.size());
    }

    @Test
    void aCachedAesEncryptionRunsOnTheCallingThreadCountedAndAuditedOnce() {
        VersionRef key = key(Algorithm.AES_256_GCM);
        kms().encrypt(admin, encryption(key, Optional.empty())); // caches the key, its material and the chain end
        List<String> records = records();
        long tokens = tokensLeft();

        Encrypted encrypted = tried("kmip.encrypt", encrypting(encryption(key, Optional.empty())));

        assertEquals(List.of(Thread.currentThread().getName()), ranOn, "ran here, never on the worker");
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.encrypt ok"), recordsSince(records));
        assertArrayEquals(PLAIN, kms().decrypt(admin, new DecryptRequest(key, encrypted.data(),
                Optional.of(Scheme.AES_GCM), Optional.empty(), encrypted.iv(), encrypted.tag(), false)).toArray());
    }

    @Test
    void theFirstCallOfATenantAfterARestartRunsOnTheWorker() {
        VersionRef key = key(Algorithm.AES_256_GCM);
        test.close();
        test = TestCore.open(dataDir, test.clock());
        long tokens = tokensLeft();

        tried("kmip.encrypt", encrypting(encryption(key, Optional.empty())));

        assertEquals(List.of("test-worker"), ranOn, "declined before the item ran: the chain end is not in memory");
        assertEquals(tokens - 1, tokensLeft());
        List<String> records = records();
        assertEquals("kmip.encrypt ok", records.get(records.size() - 1));
        assertEquals(1, records.stream().filter("kmip.encrypt ok"::equals).count());
    }

    @Test
    void aKeyNotInTheCacheIsDeclinedAndEncryptedOnTheWorker() {
        VersionRef key = key(Algorithm.AES_256_GCM);
        test.close();
        test = TestCore.open(dataDir, test.clock());
        kms().listKeyRings(admin); // loads the chain end, not the key
        List<String> records = records();
        long tokens = tokensLeft();

        tried("kmip.encrypt", encrypting(encryption(key, Optional.empty())));

        assertEquals(List.of(Thread.currentThread().getName(), "test-worker"), ranOn);
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.encrypt ok"), recordsSince(records));
    }

    @Test
    void aKeyWithAUsageLimitIsDeclinedAndLimitedOnceOnTheWorker() {
        Key limited = kms().createKey(admin, new CreateKey(ring, "limited", Optional.empty(), KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.empty(), "software", Key.AccessScope.PUBLIC,
                false, Optional.of(false), Map.of(), Optional.of(UsageLimit.of(UsageLimit.Unit.BYTE, 100))));
        VersionRef key = KeyRef.byId(limited.id()).primary();
        kms().encrypt(admin, encryption(key, Optional.empty()));
        List<String> records = records();
        long tokens = tokensLeft();

        tried("kmip.encrypt", encrypting(encryption(key, Optional.empty())));

        assertEquals(List.of(Thread.currentThread().getName(), "test-worker"), ranOn, "the key's lock is a wait");
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.encrypt ok", "encrypt ok"), recordsSince(records), "the limit's write has a record");
        assertEquals(100 - 2L * PLAIN.length, kms().getKey(admin, key.key()).usageLimit().orElseThrow().remaining(),
                "the declined try used up nothing");
    }

    @Test
    void anRsaEncryptionIsDeclinedAndRunOnTheWorker() {
        VersionRef key = key(Algorithm.RSA_2048_OAEP_SHA256);
        kms().encrypt(admin, encryption(key, Optional.of(Scheme.RSA_OAEP_SHA256)));
        long tokens = tokensLeft();

        Encrypted encrypted = tried("kmip.encrypt", encrypting(encryption(key, Optional.of(Scheme.RSA_OAEP_SHA256))));

        assertEquals(List.of(Thread.currentThread().getName(), "test-worker"), ranOn);
        assertEquals(tokens - 1, tokensLeft());
        assertArrayEquals(PLAIN, kms().decrypt(admin, new DecryptRequest(key, encrypted.data(),
                Optional.of(Scheme.RSA_OAEP_SHA256), Optional.empty(), Optional.empty(), Optional.empty(), false))
                .toArray());
    }

    @Test
    void aDeclinedTryLogsNothingAndSucceedsOnTheWorker() {
        VersionRef key = key(Algorithm.RSA_2048_OAEP_SHA256);
        kms().encrypt(admin, encryption(key, Optional.of(Scheme.RSA_OAEP_SHA256)));
        List<String> records = records();
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger pipelineLog = Logger.getLogger(CallPipeline.class.getName());
        pipelineLog.addHandler(capture);
        try {
            tried("kmip.encrypt", encrypting(encryption(key, Optional.of(Scheme.RSA_OAEP_SHA256))));
        } finally {
            pipelineLog.removeHandler(capture);
        }

        assertEquals(List.of(Thread.currentThread().getName(), "test-worker"), ranOn, "declined, then run on the worker");
        assertEquals(List.of(), logged.stream().map(LogRecord::getMessage).toList(), "a decline is no failure");
        assertEquals(List.of("kmip.encrypt ok"), recordsSince(records));
    }

    @Test
    void aDecryptGatedByAttestationIsRefusedOnTheWorkerAndAuditedOnce() {
        Key releasable = kms().createKey(admin, CreateKey.rest(ring, "gated", Optional.empty(), Algorithm.AES_256_GCM,
                "software", Key.AccessScope.PUBLIC, false), ReleaseTerms.releasable(true));
        VersionRef key = KeyRef.byId(releasable.id()).primary();
        Encrypted encrypted = kms().encrypt(admin, encryption(key, Optional.empty()));
        kms().setReleasePolicy(admin, key.key(), """
                {"version":"1.0","allOf":[{"claim":"tee","equals":"snp"}]}""", Set.of(ReleaseTerms.Use.DECRYPT));
        List<String> records = records();
        long tokens = tokensLeft();

        KmsError refused = assertThrows(KmsError.class, () -> tried("kmip.decrypt", item -> {
            ranOn.add(Thread.currentThread().getName());
            return kms().decrypt(item, new DecryptRequest(key, encrypted.data(), Optional.of(Scheme.AES_GCM),
                    Optional.empty(), encrypted.iv(), encrypted.tag(), false));
        }));

        assertEquals(ErrorCode.ATTESTATION_REQUIRED, refused.code());
        assertEquals(List.of(Thread.currentThread().getName(), "test-worker"), ranOn,
                "a refusal is recorded where waiting is allowed");
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.decrypt ATTESTATION_REQUIRED"), recordsSince(records));
    }

    @Test
    void aDeclinedCallThatNoWorkerTakesFailsAndIsRecordedOnceForItsToken() {
        VersionRef key = key(Algorithm.RSA_2048_OAEP_SHA256);
        kms().encrypt(admin, encryption(key, Optional.of(Scheme.RSA_OAEP_SHA256)));
        List<String> records = records();
        long tokens = tokensLeft();
        workers.shutdown(); // the server is stopping

        KmsError refused = assertThrows(KmsError.class,
                () -> tried("kmip.encrypt", encrypting(encryption(key, Optional.of(Scheme.RSA_OAEP_SHA256)))));

        assertEquals(ErrorCode.INTERNAL, refused.code());
        assertEquals(List.of(Thread.currentThread().getName()), ranOn);
        assertEquals(tokens - 1, tokensLeft());
        assertEquals(List.of("kmip.encrypt INTERNAL"), recordsSince(records));
    }

    @Test
    void aCallOverTheBudgetIsRefusedOnTheWorkerAndTakesNoToken() {
        TenantId small = test.newProject(2);
        Caller user = TestCore.caller(small, Role.ADMIN);
        VersionRef key = KeyRef.byId(kms().createKey(user, CreateKey.rest(
                kms().createKeyRing(user, new CreateKeyRing("r", Optional.empty())).id(), "k", Optional.empty(),
                Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false)).id()).primary();

        CompletionException refused = assertThrows(CompletionException.class, () -> kms().admittedWithoutWaiting(user,
                "kmip.encrypt", encrypting(encryption(key, Optional.empty())), e -> ErrorCode.INTERNAL, workers).join());

        assertEquals(ErrorCode.RATE_LIMITED, ((KmsError) refused.getCause()).code());
        assertEquals(List.of(), ranOn);
        assertEquals(0, kms().rateLimitStatus(small).remaining());
        test.clock().advance(Duration.ofHours(1)); // a new budget, so the auditor may export
        List<String> results = kms().exportAudit(TestCore.caller(small, Role.AUDITOR), Instant.EPOCH, FOREVER).stream()
                .map(r -> r.operation() + " " + r.result()).toList();
        assertEquals(1, results.stream().filter("kmip.encrypt RATE_LIMITED"::equals).count(), "refused once: " + results);
        assertEquals(0, results.stream().filter("kmip.encrypt ok"::equals).count());
    }
}
