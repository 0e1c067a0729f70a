package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.UsageLimit;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key's usage limit (KMIP Usage Limits) caps what it protects, counted in bytes or objects:
 * exactly the allowed uses succeed, also when they race, the rest are refused before any work,
 * unprotecting uses do not count, and what remains survives a restart (real RocksDB).
 */
class UsageLimitTest {
    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private VersionRef limitedKey(KeyType type, Set<KeyUsage> usages, UsageLimit limit) {
        Key key = core.kms().createKey(core.admin(), new CreateKey(core.ring(), "limited", Optional.empty(), type,
                usages, Optional.empty(), "software", Key.AccessScope.PUBLIC, false, Optional.of(false), Map.of(),
                Optional.of(limit)));
        return KeyRef.byId(key.id()).version(1);
    }

    private Encrypted encrypt(VersionRef key, int bytes) {
        return core.kms().encrypt(core.admin(), new EncryptRequest(key, Bytes.of(new byte[bytes]), Optional.empty(),
                Optional.empty(), Optional.empty(), false));
    }

    private long remaining(VersionRef key) {
        return core.kms().getKey(core.admin(), key.key()).usageLimit().orElseThrow().remaining();
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
        Bytes plaintext = core.kms().decrypt(core.admin(), new DecryptRequest(key, first.data(),
                Optional.of(first.scheme()), Optional.empty(), first.iv(), first.tag(), false));
        assertEquals(16, plaintext.length());
        assertEquals(0, remaining(key), "decrypt does not protect, so it does not count");
    }

    @Test
    void anObjectLimitCountsEachSignatureOrMacOnce() {
        VersionRef key = limitedKey(KeyType.HMAC_SHA256, Set.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY),
                UsageLimit.of(UsageLimit.Unit.OBJECT, 2));
        SignRequest request = SignRequest.message(key, Bytes.of(new byte[1000]));
        Bytes mac = core.kms().sign(core.admin(), request);
        core.kms().sign(core.admin(), request);
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class, () -> core.kms().sign(core.admin(),
                request)).code());
        assertTrue(core.kms().verify(core.admin(), request, mac));
        assertEquals(0, remaining(key));
    }

    @Test
    void whatRemainsSurvivesARestart() {
        VersionRef key = limitedKey(KeyType.AES_256, Set.of(KeyUsage.ENCRYPT), UsageLimit.of(UsageLimit.Unit.OBJECT, 5));
        encrypt(key, 1);
        encrypt(key, 1);
        core.restart();
        assertEquals(3, remaining(key));
        encrypt(key, 1);
        assertEquals(2, remaining(key));
    }

    @Test
    void racingUsesNeverSpendMoreThanTheLimit() throws Exception {
        VersionRef key = limitedKey(KeyType.AES_256, Set.of(KeyUsage.ENCRYPT), UsageLimit.of(UsageLimit.Unit.OBJECT,
                40));
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
