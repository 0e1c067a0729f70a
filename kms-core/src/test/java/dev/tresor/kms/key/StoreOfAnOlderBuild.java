package dev.tresor.kms.key;

import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.MovableClock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An unsealed in-memory store with one key ring, for tests that write a record as an older build
 * stored it and then read it with a key service started afresh.
 */
record StoreOfAnOlderBuild(BarrierStore store, Crypto crypto, MovableClock clock, TenantId tenant, String ring) {

    static StoreOfAnOlderBuild open() {
        SealManager seal = SealManager.open(new MemoryStore());
        seal.init(1, 1);
        BarrierStore store = seal.barrierStore();
        Crypto crypto = new Crypto();
        MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");
        TenantId tenant = new TenantId("p", "eu01");
        String ring = new KeyService(store, crypto, new MaterialCache(crypto, 100), clock, Duration.ofDays(30))
                .createKeyRing(tenant, new CreateKeyRing("ring", Optional.empty()), store::write).id();
        return new StoreOfAnOlderBuild(store, crypto, clock, tenant, ring);
    }

    /** A key service started afresh on the store, as after a restart. */
    KeyService keys() {
        return new KeyService(store, crypto, new MaterialCache(crypto, 100), clock, Duration.ofDays(30));
    }

    Consumer<BarrierStore.Batch> commit() {
        return store::write;
    }
}
