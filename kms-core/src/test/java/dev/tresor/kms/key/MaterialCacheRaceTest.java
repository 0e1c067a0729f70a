package dev.tresor.kms.key;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.GatedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Material loaded by a call that raced a delete does not stay in memory after the delete. */
class MaterialCacheRaceTest {
    @Test
    void aDeleteThatCommitsDuringALoadLeavesNothingCached() throws Exception {
        SealManager seal = SealManager.open(new MemoryStore());
        seal.init(1, 1);
        BarrierStore store = seal.barrierStore();
        Consumer<BarrierStore.Batch> commit = store::write;
        Crypto crypto = new Crypto();
        MaterialCache cache = new MaterialCache(crypto, 100);
        GatedClock clock = new GatedClock(Instant.parse("2026-01-01T00:00:00Z"));
        KeyService keys = new KeyService(store, crypto, cache, clock, Duration.ofDays(30));
        KeyCryptography cryptography = new KeyCryptography(keys, crypto);
        TenantId tenant = new TenantId("p", "eu01");
        String ring = keys.createKeyRing(tenant, new CreateKeyRing("ring", Optional.empty()), commit).id();
        Key key = keys.createKey(tenant, CreateKey.rest(ring, "k", Optional.empty(), Algorithm.AES_256_GCM, "software",
                Key.AccessScope.PUBLIC, false), KmipLegacy.NONE, commit);
        KeyRef ref = KeyRef.of(ring, key.id());

        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread encryptor = new Thread(() -> {
            try {
                outcome.set(cryptography.encrypt(tenant, EncryptRequest.envelope(ref.version(1), Bytes.of(new byte[] {7})), commit));
            } catch (KmsError e) {
                outcome.set(e);
            }
        });
        clock.stop(encryptor, 3); // the key and version were read as usable; the material is not loaded yet
        encryptor.start();
        clock.awaitStopped();
        keys.deleteKey(tenant, ref, commit);
        clock.release();
        encryptor.join();

        assertEquals(ErrorCode.FAILED_PRECONDITION, ((KmsError) outcome.get()).code());
        assertEquals(0, cache.size(), "material of a deleted key stayed cached");
    }
}
