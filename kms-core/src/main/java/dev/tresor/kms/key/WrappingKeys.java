package dev.tresor.kms.key;

import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.crypto.KeyMaterial;
import dev.tresor.kms.crypto.LoadedKey;
import dev.tresor.kms.crypto.MaterialAccess;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateWrappingKey;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * BYOK: RSA wrapping keys whose public half customers wrap their material to, and the import
 * that unwraps it into a new key version. Material that does not unwrap, or does not fit the
 * target key, is refused whole: nothing is stored.
 */
public final class WrappingKeys {
    private final KeyLedger ledger;
    private final KeyService keys;
    private final Crypto crypto;
    private final Clock clock;
    private final Duration lifetime;
    private final MaterialAccess access = MaterialAccess.obtain();
    private final Stripes locks = new Stripes();

    public WrappingKeys(BarrierStore store, KeyService keys, Crypto crypto, Clock clock, Duration lifetime) {
        this.ledger = new KeyLedger(store);
        this.keys = keys;
        this.crypto = crypto;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    public WrappingKey create(TenantId tenant, CreateWrappingKey request, Consumer<BarrierStore.Batch> commit) {
        Names.checkDisplayName(request.displayName());
        request.description().ifPresent(Names::checkDescription);
        if (request.purpose() == WrappingKey.Purpose.WRAP_ASYMMETRIC_KEY && !request.algorithm().aesKeyWrap()) {
            throw KmsError.invalid("purpose wrap_asymmetric_key needs an *_aes_256_key_wrap algorithm: "
                    + "plain RSA-OAEP cannot hold a PKCS#8 private key");
        }
        keys.keyRing(tenant, request.keyRingId());
        KeyMaterial material = crypto.generate(request.algorithm().keyType());
        byte[] privateKey = material.copyBytes(access);
        try {
            LoadedKey loaded = crypto.load(request.algorithm().keyType(), material);
            String publicKeyPem;
            try {
                publicKeyPem = loaded.publicKeyPem().orElseThrow();
            } finally {
                loaded.destroy();
            }
            Instant now = clock.instant();
            WrappingKey wrappingKey = new WrappingKey(UUID.randomUUID().toString(), tenant, request.keyRingId(),
                    request.displayName(), request.description(), request.algorithm(), request.purpose(),
                    request.protection(), request.accessScope(), false, now, now.plus(lifetime), publicKeyPem);
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, wrappingKey, Optional.of(privateKey));
            commit.accept(batch);
            return wrappingKey;
        } finally {
            Arrays.fill(privateKey, (byte) 0);
            material.destroy();
        }
    }

    public List<WrappingKey> list(TenantId tenant, String ringId) {
        keys.keyRing(tenant, ringId);
        return ledger.wrappingKeys(tenant).stream()
                .filter(w -> w.keyRingId().equals(ringId))
                .sorted(Comparator.comparing(WrappingKey::createdAt))
                .toList();
    }

    public WrappingKey get(TenantId tenant, String ringId, String wrappingKeyId) {
        return ledger.wrappingKey(tenant, wrappingKeyId)
                .filter(w -> w.keyRingId().equals(ringId))
                .orElseThrow(() -> KmsError.notFound("wrapping key " + wrappingKeyId));
    }

    /** Marks the wrapping key deleted and erases its private key: nothing can be imported through it any more. */
    public void delete(TenantId tenant, String ringId, String wrappingKeyId, Consumer<BarrierStore.Batch> commit) {
        locks.exclusive(wrappingKeyId, () -> {
            WrappingKey current = get(tenant, ringId, wrappingKeyId);
            if (current.deleted()) {
                throw KmsError.precondition("wrapping key " + wrappingKeyId + " is already deleted");
            }
            WrappingKey deleted = new WrappingKey(current.id(), tenant, ringId, current.displayName(),
                    current.description(), current.algorithm(), current.purpose(), current.protection(),
                    current.accessScope(), true, current.createdAt(), current.expiresAt(), current.publicKeyPem());
            BarrierStore.Batch batch = ledger.batch();
            ledger.put(batch, deleted, Optional.empty());
            ledger.deleteWrappingKeyMaterial(batch, tenant, wrappingKeyId);
            commit.accept(batch);
            return null;
        });
    }

    /**
     * Erases the private key of every wrapping key past its expiry: BYOK blobs wrapped to it can
     * never be unwrapped again. Each in its own commit, until {@code stopRequested}; answers how many were erased.
     */
    public int purgeExpired(List<TenantId> tenants, KeyService.PurgeCommit commit, BooleanSupplier stopRequested) {
        Instant now = clock.instant();
        int erased = 0;
        for (TenantId tenant : tenants) {
            for (WrappingKey wrappingKey : ledger.wrappingKeys(tenant)) {
                if (stopRequested.getAsBoolean()) {
                    return erased;
                }
                if (wrappingKey.stateAt(now) == WrappingKey.State.EXPIRED
                        && ledger.wrappingKeyMaterial(tenant, wrappingKey.id()).isPresent()) {
                    BarrierStore.Batch batch = ledger.batch();
                    ledger.deleteWrappingKeyMaterial(batch, tenant, wrappingKey.id());
                    commit.forItem(tenant, "keyrings/" + wrappingKey.keyRingId() + "/wrappingkeys/" + wrappingKey.id())
                            .accept(batch);
                    erased++;
                }
            }
        }
        return erased;
    }

    /** Unwraps {@code wrapped} with the wrapping key of the same ring and adds it as the key's next version. */
    public KeyVersion importKey(TenantId tenant, KeyRef ref, String wrappingKeyId, Bytes wrapped,
                                Consumer<BarrierStore.Batch> commit) {
        Key key = keys.key(tenant, ref);
        WrappingKey wrappingKey = get(tenant, key.keyRingId(), wrappingKeyId);
        WrappingKey.State state = wrappingKey.stateAt(clock.instant());
        if (state != WrappingKey.State.ACTIVE) {
            throw KmsError.precondition("wrapping key " + wrappingKeyId + " is " + state.wireName());
        }
        WrappingKey.Purpose needed = key.type().isAsymmetric()
                ? WrappingKey.Purpose.WRAP_ASYMMETRIC_KEY : WrappingKey.Purpose.WRAP_SYMMETRIC_KEY;
        if (wrappingKey.purpose() != needed) {
            throw KmsError.invalid("a " + key.type() + " key is imported with a " + needed.wireName()
                    + " wrapping key, not " + wrappingKey.purpose().wireName());
        }
        byte[] privateKey = ledger.wrappingKeyMaterial(tenant, wrappingKeyId)
                .orElseThrow(() -> KmsError.precondition("wrapping key " + wrappingKeyId + " has no private key"));
        KeyMaterial wrappingMaterial = KeyMaterial.copyOf(privateKey);
        Arrays.fill(privateKey, (byte) 0);
        LoadedKey unwrapper = crypto.load(wrappingKey.algorithm().keyType(), wrappingMaterial);
        wrappingMaterial.destroy();
        KeyMaterial material;
        try {
            WrappingAlgorithm algorithm = wrappingKey.algorithm();
            material = algorithm.aesKeyWrap()
                    ? crypto.unwrapRsaAesKeyWrap(unwrapper, algorithm.oaep(), wrapped.toArray())
                    : crypto.unwrapRsaOaep(unwrapper, algorithm.oaep(), wrapped.toArray());
        } catch (KmsError e) {
            throw KmsError.invalid("wrappedKey does not unwrap with wrapping key " + wrappingKeyId);
        } finally {
            unwrapper.destroy();
        }
        try {
            return keys.importMaterial(tenant, ref, material, commit);
        } finally {
            material.destroy();
        }
    }
}
