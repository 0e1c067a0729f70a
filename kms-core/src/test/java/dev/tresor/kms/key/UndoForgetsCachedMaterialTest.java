package dev.tresor.kms.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.crypto.LoadedKey;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.tenant.KmipLegacy;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyService#undoing} drops what is cached of the keys an undo changes: material loaded by
 * a call of the group does not stay in memory once the undo deleted its key, as after a delete.
 * The undo's state checks would refuse the material anyway; what this guards is that the loaded
 * key is destroyed and gone from the cache, not merely refused.
 */
class UndoForgetsCachedMaterialTest {
    private final StoreOfAnOlderBuild store = StoreOfAnOlderBuild.open();
    private final KeyService keys = store.keys();

    @Test
    void anUndoThatDeletesAKeyTheGroupCreatedDestroysTheMaterialLoadedForIt() {
        Set<String> createdByTheGroup = new TreeSet<>();
        Consumer<BarrierStore.Batch> inTheGroup = batch -> {
            createdByTheGroup.addAll(batch.keys());
            store.commit().accept(batch);
        };
        Key key = keys.createKey(store.tenant(), CreateKey.typed(store.ring(), "made-in-the-group", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), Map.of()), KmipLegacy.NONE, inTheGroup);
        KeyRef ref = KeyRef.byId(key.id());
        LoadedKey loaded = protectingMaterial(key);

        keys.undoing(store.tenant(), createdByTheGroup, () -> {
            BarrierStore.Batch undo = store.store().batch();
            keys.softDeleteCreated(store.tenant(), createdByTheGroup, undo);
            store.commit().accept(undo);
        });

        assertEquals(KeyState.DELETED, keys.key(store.tenant(), ref).state());
        assertTrue(loaded.isDestroyed(), "the material of the undone key stayed in memory");
        Key restored = keys.restoreKey(store.tenant(), ref, store.commit());
        LoadedKey reloaded = protectingMaterial(restored);
        assertNotSame(loaded, reloaded, "loaded again from the store, not served from the cache");
        assertFalse(reloaded.isDestroyed());
    }

    private LoadedKey protectingMaterial(Key key) {
        KeyVersion version = keys.version(store.tenant(), KeyRef.byId(key.id()).version(1));
        return keys.usableMaterial(store.tenant(), key, version, UsePeriod.Use.PROTECT);
    }
}
