package dev.tresor.kms.key;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.StoredJson;
import dev.tresor.kms.tenant.TenantId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where key records live in the store, and their JSON form. Every value passes the barrier.
 * <pre>
 * t/{project}/{region}/ring/{ringId}               KeyRing
 * t/{project}/{region}/key/{keyId}                 Key
 * t/{project}/{region}/ver/{keyId}/{number:010}    KeyVersion
 * t/{project}/{region}/mat/{keyId}/{number:010}    key material (raw, or PKCS#8)
 * t/{project}/{region}/served/{keyId}/{number:010} which halves of the version left (KMIP Fresh)
 * t/{project}/{region}/wk/{wrappingKeyId}          WrappingKey
 * t/{project}/{region}/wkmat/{wrappingKeyId}       wrapping key private material (PKCS#8)
 * t/{project}/{region}/obj/{objectId}              ManagedObject
 * t/{project}/{region}/objval/{objectId}           its value
 * t/{project}/{region}/objpub/{objectId}           a lone public key's key, as the core reads it
 * </pre>
 */
final class KeyLedger {
    /** Every record kind of one managed object: its own record first, then those that stay and go with it. */
    static final List<String> OBJECT_RECORDS = List.of("obj", "objval", "objpub");

    private final BarrierStore store;

    KeyLedger(BarrierStore store) {
        this.store = store;
    }

    BarrierStore.Batch batch() {
        return store.batch();
    }

    /** Writes {@code batch} durably on its own, for bookkeeping that carries no audit record. */
    void write(BarrierStore.Batch batch) {
        store.write(batch);
    }

    Optional<KeyRing> ring(TenantId tenant, String ringId) {
        return read(ringPath(tenant, ringId), KeyRing.class);
    }

    List<KeyRing> rings(TenantId tenant) {
        return readAll(prefix(tenant) + "ring/", KeyRing.class);
    }

    Optional<Key> key(TenantId tenant, String keyId) {
        return read(keyPath(tenant, keyId), Key.class);
    }

    List<Key> keys(TenantId tenant) {
        return readAll(prefix(tenant) + "key/", Key.class);
    }

    /** A version, with the halves its own served record says have left. */
    Optional<KeyVersion> version(TenantId tenant, String keyId, long number) {
        return read(versionPath(tenant, keyId, number), KeyVersion.class)
                .map(v -> withServed(v, read(servedPath(tenant, keyId, number), Served.class)));
    }

    List<KeyVersion> versions(TenantId tenant, String keyId) {
        Map<Long, Served> served = new HashMap<>();
        readAll(prefix(tenant) + "served/" + keyId + "/", Served.class).forEach(s -> served.put(s.number(), s));
        return readAll(prefix(tenant) + "ver/" + keyId + "/", KeyVersion.class).stream()
                .map(v -> withServed(v, Optional.ofNullable(served.get(v.number()))))
                .toList();
    }

    private static KeyVersion withServed(KeyVersion version, Optional<Served> served) {
        KeyVersion merged = version;
        if (served.map(Served::material).orElse(false)) {
            merged = merged.served(KeyVersion.Half.MATERIAL);
        }
        if (served.map(Served::publicKey).orElse(false)) {
            merged = merged.served(KeyVersion.Half.PUBLIC_KEY);
        }
        return merged;
    }

    /** Puts the served record of {@code version}: which of its halves have left. */
    void putServed(BarrierStore.Batch batch, TenantId tenant, KeyVersion version) {
        batch.put(servedPath(tenant, version.keyId(), version.number()), StoredJson.encode(
                new Served(version.number(), version.materialServed(), version.publicKeyServed())));
    }

    Optional<byte[]> material(TenantId tenant, String keyId, long number) {
        return store.get(materialPath(tenant, keyId, number));
    }

    Optional<WrappingKey> wrappingKey(TenantId tenant, String wrappingKeyId) {
        return read(prefix(tenant) + "wk/" + wrappingKeyId, WrappingKey.class);
    }

    List<WrappingKey> wrappingKeys(TenantId tenant) {
        return readAll(prefix(tenant) + "wk/", WrappingKey.class);
    }

    Optional<byte[]> wrappingKeyMaterial(TenantId tenant, String wrappingKeyId) {
        return store.get(wrappingKeyMaterialPath(tenant, wrappingKeyId));
    }

    static String wrappingKeyMaterialPath(TenantId tenant, String wrappingKeyId) {
        return prefix(tenant) + "wkmat/" + wrappingKeyId;
    }

    Optional<ManagedObject> object(TenantId tenant, String objectId) {
        return read(prefix(tenant) + "obj/" + objectId, ManagedObject.class);
    }

    List<ManagedObject> objects(TenantId tenant) {
        return readAll(prefix(tenant) + "obj/", ManagedObject.class);
    }

    Optional<byte[]> objectValue(TenantId tenant, String objectId) {
        return store.get(prefix(tenant) + "objval/" + objectId);
    }

    Optional<ObjectPublicKey> objectPublicKey(TenantId tenant, String objectId) {
        return read(prefix(tenant) + "objpub/" + objectId, StoredPublicKey.class)
                .map(stored -> new ObjectPublicKey(stored.encoding(), Bytes.wrap(stored.der())));
    }

    void putPublicKey(BarrierStore.Batch batch, ManagedObject object, ObjectPublicKey key) {
        batch.put(prefix(object.tenant()) + "objpub/" + object.id(),
                StoredJson.encode(new StoredPublicKey(key.encoding(), key.der().toArray())));
    }

    /** Puts the object's record and, when given, its value. */
    void put(BarrierStore.Batch batch, ManagedObject object, byte[] valueOrNull) {
        batch.put(prefix(object.tenant()) + "obj/" + object.id(), StoredJson.encode(object));
        if (valueOrNull != null) {
            batch.put(prefix(object.tenant()) + "objval/" + object.id(), valueOrNull);
        }
    }

    void purge(BarrierStore.Batch batch, ManagedObject object) {
        OBJECT_RECORDS.forEach(kind -> batch.delete(prefix(object.tenant()) + kind + "/" + object.id()));
    }

    void put(BarrierStore.Batch batch, KeyRing ring) {
        batch.put(ringPath(ring.tenant(), ring.id()), StoredJson.encode(ring));
    }

    void delete(BarrierStore.Batch batch, KeyRing ring) {
        batch.delete(ringPath(ring.tenant(), ring.id()));
    }

    /**
     * The batch must also hold an audit record in the key's tenant chain: the use-period pass
     * goes over a tenant's keys again only when that chain moved ({@code UsePeriodBackfill}).
     */
    void put(BarrierStore.Batch batch, Key key) {
        batch.put(keyPath(key.tenant(), key.id()), StoredJson.encode(key));
    }

    void put(BarrierStore.Batch batch, TenantId tenant, KeyVersion version) {
        batch.put(versionPath(tenant, version.keyId(), version.number()), StoredJson.encode(version));
    }

    void putMaterial(BarrierStore.Batch batch, TenantId tenant, String keyId, long number, byte[] material) {
        batch.put(materialPath(tenant, keyId, number), material);
    }

    void put(BarrierStore.Batch batch, WrappingKey wrappingKey, Optional<byte[]> privateMaterial) {
        String path = prefix(wrappingKey.tenant()) + "wk/" + wrappingKey.id();
        batch.put(path, StoredJson.encode(wrappingKey));
        privateMaterial.ifPresent(m -> batch.put(wrappingKeyMaterialPath(wrappingKey.tenant(), wrappingKey.id()), m));
    }

    void purge(BarrierStore.Batch batch, WrappingKey wrappingKey) {
        batch.delete(prefix(wrappingKey.tenant()) + "wk/" + wrappingKey.id());
        deleteWrappingKeyMaterial(batch, wrappingKey.tenant(), wrappingKey.id());
    }

    void deleteWrappingKeyMaterial(BarrierStore.Batch batch, TenantId tenant, String wrappingKeyId) {
        batch.delete(wrappingKeyMaterialPath(tenant, wrappingKeyId));
    }

    /** Erases a version: its record, its material and its served record. */
    void purge(BarrierStore.Batch batch, TenantId tenant, String keyId, long number) {
        batch.delete(versionPath(tenant, keyId, number));
        batch.delete(materialPath(tenant, keyId, number));
        batch.delete(servedPath(tenant, keyId, number));
    }

    /** Erases a key with every version and their material. */
    void purge(BarrierStore.Batch batch, Key key) {
        for (KeyVersion version : versions(key.tenant(), key.id())) {
            purge(batch, key.tenant(), key.id(), version.number());
        }
        batch.delete(keyPath(key.tenant(), key.id()));
    }

    /** Where a version's material is stored (tests read the raw stored bytes there). */
    static String materialPath(TenantId tenant, String keyId, long number) {
        return prefix(tenant) + "mat/" + keyId + "/" + String.format("%010d", number);
    }

    /** One of a tenant's records: its kind ({@code key}, {@code ver}, {@code obj} ...) and the id of its key or object. */
    record Located(String kind, String id) {
    }

    /** Which record of the tenant {@code path} is; empty if it is not one of the tenant's. */
    static Optional<Located> locate(TenantId tenant, String path) {
        String prefix = prefix(tenant);
        if (!path.startsWith(prefix)) {
            return Optional.empty();
        }
        String[] parts = path.substring(prefix.length()).split("/", 3);
        return parts.length < 2 ? Optional.empty() : Optional.of(new Located(parts[0], parts[1]));
    }

    /** Which record of the tenant {@code path} is, for an undo; PERMISSION_DENIED if it is not one of the tenant's. */
    static Located locateUndone(TenantId tenant, String path) {
        return locate(tenant, path)
                .orElseThrow(() -> KmsError.denied("an undo may only change records of its caller's project"));
    }

    private static String prefix(TenantId tenant) {
        return "t/" + tenant.projectId() + "/" + tenant.regionId() + "/";
    }

    private static String ringPath(TenantId tenant, String ringId) {
        return prefix(tenant) + "ring/" + ringId;
    }

    private static String keyPath(TenantId tenant, String keyId) {
        return prefix(tenant) + "key/" + keyId;
    }

    private static String versionPath(TenantId tenant, String keyId, long number) {
        return prefix(tenant) + "ver/" + keyId + "/" + String.format("%010d", number);
    }

    private static String servedPath(TenantId tenant, String keyId, long number) {
        return prefix(tenant) + "served/" + keyId + "/" + String.format("%010d", number);
    }

    private <T> Optional<T> read(String path, Class<T> type) {
        return store.get(path).map(bytes -> StoredJson.decode(bytes, type));
    }

    private <T> List<T> readAll(String prefix, Class<T> type) {
        return store.scan(prefix).stream().map(entry -> StoredJson.decode(entry.getValue(), type)).toList();
    }

    /**
     * Which halves of version {@code number} have left to a client, kept apart from the version's
     * record: written outside any undo scope, so an undo neither restores nor trips over it.
     */
    record Served(long number, boolean material, boolean publicKey) {
    }

    /** The stored form of an {@link ObjectPublicKey}. */
    record StoredPublicKey(ObjectPublicKey.Encoding encoding, byte[] der) {
    }
}
