package dev.tresor.kms.key;

import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.crypto.KeyMaterial;
import dev.tresor.kms.crypto.LoadedKey;
import dev.tresor.kms.tenant.TenantId;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Unwrapped key material, ready for use, keyed by (tenant, key, version). Bounded; entries are
 * destroyed when evicted, on delete, destroy and purge, and all at once when the server seals.
 * The hot path of an encrypt is a hit here plus the cipher.
 */
public final class MaterialCache {
    private record Slot(TenantId tenant, String keyId, long version) {
    }

    private final ConcurrentHashMap<Slot, LoadedKey> loaded = new ConcurrentHashMap<>();
    /** Bumped by {@link #clear}: a load that started before a seal must not stay cached after it. */
    private final AtomicLong epoch = new AtomicLong();
    private final Crypto crypto;
    private final int capacity;

    public MaterialCache(Crypto crypto, int capacity) {
        this.crypto = crypto;
        this.capacity = capacity;
    }

    /** The loaded key of a version, reading and parsing its stored material on a miss. */
    LoadedKey get(TenantId tenant, KeyType type, String keyId, long version, Supplier<byte[]> storedMaterial) {
        Slot slot = new Slot(tenant, keyId, version);
        LoadedKey hit = loaded.get(slot);
        if (hit != null) {
            return hit;
        }
        long loadedIn = epoch.get();
        byte[] bytes = storedMaterial.get();
        KeyMaterial material = KeyMaterial.copyOf(bytes);
        Arrays.fill(bytes, (byte) 0);
        LoadedKey key;
        try {
            key = crypto.load(type, material);
        } finally {
            material.destroy();
        }
        makeRoom();
        LoadedKey raced = loaded.putIfAbsent(slot, key);
        if (raced != null) {
            key.destroy();
            return raced;
        }
        if (epoch.get() != loadedIn) {
            loaded.remove(slot, key);
        }
        return key;
    }

    void forget(TenantId tenant, String keyId, long version) {
        destroy(loaded.remove(new Slot(tenant, keyId, version)));
    }

    void forgetKey(TenantId tenant, String keyId) {
        for (Slot slot : loaded.keySet()) {
            if (slot.tenant().equals(tenant) && slot.keyId().equals(keyId)) {
                destroy(loaded.remove(slot));
            }
        }
    }

    int size() {
        return loaded.size();
    }

    /** Destroys every cached key (the server is sealing). */
    public void clear() {
        epoch.incrementAndGet();
        for (Iterator<LoadedKey> it = loaded.values().iterator(); it.hasNext(); ) {
            LoadedKey key = it.next();
            it.remove();
            key.destroy();
        }
    }

    /**
     * Evicts arbitrary entries until there is room. Evicted keys are dropped, not destroyed: a
     * concurrent call may still be using them.
     */
    private void makeRoom() {
        Iterator<Slot> slots = loaded.keySet().iterator();
        while (loaded.size() >= capacity && slots.hasNext()) {
            slots.next();
            slots.remove();
        }
    }

    private static void destroy(LoadedKey key) {
        if (key != null) {
            key.destroy();
        }
    }
}
