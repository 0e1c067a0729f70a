package dev.tresor.kms.key;

import dev.tresor.kms.service.NonBlocking;
import dev.tresor.kms.tenant.TenantId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stored records of one key — the key and its versions — cached so that a crypto call reads
 * them from memory, not from the store. Every writer invalidates the key's entry after its batch
 * is committed; loading goes through {@code computeIfAbsent}, which an invalidation waits for, so
 * a load that read the store before a commit can never outlive that commit's invalidation.
 */
final class KeyRecords {
    private static final int CAPACITY = 100_000;

    record Entry(Optional<Key> key, List<KeyVersion> versions) {
        Optional<KeyVersion> version(long number) {
            for (KeyVersion version : versions) {
                if (version.number() == number) {
                    return Optional.of(version);
                }
            }
            return Optional.empty();
        }
    }

    private record Id(TenantId tenant, String keyId) {
    }

    private final KeyLedger ledger;
    private final ConcurrentHashMap<Id, Entry> entries = new ConcurrentHashMap<>();

    KeyRecords(KeyLedger ledger) {
        this.ledger = ledger;
    }

    Entry get(TenantId tenant, String keyId) {
        Id id = new Id(tenant, keyId);
        Entry cached = entries.get(id);
        if (cached != null) {
            return cached;
        }
        NonBlocking.check("a key record load");
        if (entries.size() >= CAPACITY) {
            entries.clear(); // takes every bin's lock: only where waiting is allowed
        }
        return entries.computeIfAbsent(id, loading -> {
            Optional<Key> key = ledger.key(tenant, keyId);
            return new Entry(key, key.isPresent() ? ledger.versions(tenant, keyId) : List.of());
        });
    }

    /** Call after a batch touching the key was committed (or failed). */
    void invalidate(TenantId tenant, String keyId) {
        entries.remove(new Id(tenant, keyId));
    }
}
