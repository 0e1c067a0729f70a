package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.UsageLimit;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key's usage limit (KMIP Usage Limits) caps what it protects, counted in bytes or objects:
 * exactly the allowed uses succeed, also when they race, the rest are refused before any work,
 * unprotecting uses do not count, and what remains survives a restart (real RocksDB).
 */
class UsageLimitTest {
    @TempDir
    Path dataDir;

    private TestCore test;
    private TenantId tenant;
    private String ring;

    @BeforeEach
    void open() {
        test = TestCore.open(dataDir);
        tenant = test.newProject();
        ring = kms().createKeyRing(admin(), new CreateKeyRing("ring", Optional.empty())).id();
    }

    @AfterEach
    void close() {
        test.close();
    }

    private KeyManagement kms() {
        return test.core().keyManagement();
    }

    private Caller admin() {
        return TestCore.caller(tenant, Role.ADMIN);
    }

    private VersionRef limitedKey(KeyType type, Set<KeyUsage> usages, UsageLimit limit) {
        Key key = kms().createKey(admin(), new CreateKey(ring, "limited", Optional.empty(), type, usages,
                Optional.empty(), "software", Key.AccessScope.PUBLIC, false, Optional.of(false), Map.of(),
                Optional.of(limit)));
        return KeyRef.byId(key.id()).version(1);
    }

    private Encrypted encrypt(VersionRef key, int bytes) {
        return kms().encrypt(admin(), new EncryptRequest(key, Bytes.of(new byte[bytes]), Optional.empty(),
                Optional.empty(), Optional.empty(), false));
    }

    private long remaining(VersionRef key) {
        return kms().getKey(admin(), key.key()).usageLimit().orElseThrow().remaining();
    }

    @Test
    void aByteLimitAllowsExactlyItsBytesAndRefusesTheRestBeforeAnyWork() {
        VersionRef key = limitedKey(KeyType.AES_128, Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT),
                UsageLimit.of(UsageLimit.Unit.BYTE, 32));
        Encrypted first = encrypt(key, 16);
        assertEquals(16, remaining(key));
        encrypt(key, 10);
        KmsError refused = assertThrows(KmsError.class, () -> encrypt(key, 7));
        assertEquals(ErrorCode.PERMISSION_DENIED, refused.code());
        assertTrue(refused.getMessage().contains("usage limit: 6 of 32 bytes remain, this call needs 7"),
                refused.getMessage());
        assertEquals(6, remaining(key));
        encrypt(key, 6);
        assertEquals(0, remaining(key));
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class, () -> encrypt(key, 1)).code());
        Bytes plaintext = kms().decrypt(admin(), new DecryptRequest(key, first.data(), Optional.of(first.scheme()),
                Optional.empty(), first.iv(), first.tag(), false));
        assertEquals(16, plaintext.length());
        assertEquals(0, remaining(key), "decrypt does not protect, so it does not count");
    }

    @Test
    void anObjectLimitCountsEachSignatureOrMacOnce() {
        VersionRef key = limitedKey(KeyType.HMAC_SHA256, Set.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY),
                UsageLimit.of(UsageLimit.Unit.OBJECT, 2));
        SignRequest request = SignRequest.message(key, Bytes.of(new byte[1000]));
        Bytes mac = kms().sign(admin(), request);
        kms().sign(admin(), request);
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class, () -> kms().sign(admin(), request)).code());
        assertTrue(kms().verify(admin(), request, mac));
        assertEquals(0, remaining(key));
    }

    @Test
    void whatRemainsSurvivesARestart() {
        VersionRef key = limitedKey(KeyType.AES_256, Set.of(KeyUsage.ENCRYPT), UsageLimit.of(UsageLimit.Unit.OBJECT, 5));
        encrypt(key, 1);
        encrypt(key, 1);
        test.close();
        test = TestCore.open(dataDir);
        assertEquals(3, remaining(key));
        encrypt(key, 1);
        assertEquals(2, remaining(key));
    }

    @Test
    void racingUsesNeverSpendMoreThanTheLimit() throws Exception {
        VersionRef key = limitedKey(KeyType.AES_256, Set.of(KeyUsage.ENCRYPT), UsageLimit.of(UsageLimit.Unit.OBJECT, 40));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> uses = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                uses.add(() -> {
                    try {
                        encrypt(key, 1);
                        return true;
                    } catch (KmsError e) {
                        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
                        return false;
                    }
                });
            }
            int succeeded = 0;
            for (Future<Boolean> use : pool.invokeAll(uses)) {
                succeeded += use.get() ? 1 : 0;
            }
            assertEquals(40, succeeded);
            assertEquals(0, remaining(key));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anImpossibleLimitIsRefused() {
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(KmsError.class, () -> UsageLimit.of(UsageLimit.Unit.BYTE, 0)).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(KmsError.class, () -> new UsageLimit(UsageLimit.Unit.BYTE, 10, 11)).code());
    }
}
