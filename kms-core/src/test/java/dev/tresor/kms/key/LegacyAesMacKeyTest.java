package dev.tresor.kms.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.SignRequest;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.TenantId;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * An AES key stored before MAC and cipher usages were kept apart may hold both: it still
 * encrypts, but its bytes no longer key an HMAC.
 */
class LegacyAesMacKeyTest {
    private static final Bytes DATA = Bytes.of(new byte[] {1, 2, 3});

    @Test
    void aStoredAesKeyGrantingMacAndEncryptComputesAndChecksNoMac() {
        StoreOfAnOlderBuild older = StoreOfAnOlderBuild.open();
        BarrierStore store = older.store();
        Consumer<BarrierStore.Batch> commit = older.commit();
        TenantId tenant = older.tenant();
        String ring = older.ring();
        KeyService creator = older.keys();
        Key created = creator.createKey(tenant, CreateKey.typed(ring, "legacy", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT), Optional.of(false), Map.of()), KmipLegacy.NONE, commit);
        Set<KeyUsage> both = EnumSet.of(KeyUsage.ENCRYPT, KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY);
        BarrierStore.Batch legacy = store.batch();
        new KeyLedger(store).put(legacy, new Key(created.id(), tenant, ring, created.displayName(),
                created.description(), created.type(), both, created.algorithm(), created.protection(),
                created.accessScope(), created.importOnly(), created.exportable(), created.state(),
                created.createdAt(), created.deletionDate(), created.lastVersion(), created.attributes(),
                created.release(), created.usageLimit(), created.usePeriods()));
        store.write(legacy);

        KeyService keys = older.keys();
        KeyCryptography cryptography = new KeyCryptography(keys, older.crypto());
        VersionRef ref = KeyRef.of(ring, created.id()).version(1);
        assertEquals(both, keys.key(tenant, ref.key()).usages(), "the legacy record is what the core reads");
        SignRequest hmac = new SignRequest(ref, DATA, false, Optional.of(Scheme.HMAC_SHA256));
        refusedNamingTheConflict(() -> cryptography.sign(tenant, hmac, KmipLegacy.NONE, commit));
        refusedNamingTheConflict(() -> cryptography.verify(tenant, hmac, KmipLegacy.NONE, Bytes.of(new byte[32])));
        assertEquals(Scheme.AES_GCM, cryptography.encrypt(tenant, EncryptRequest.envelope(ref, DATA), commit).scheme(),
                "the key still encrypts");
    }

    private static void refusedNamingTheConflict(Executable call) {
        KmsError error = org.junit.jupiter.api.Assertions.assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertTrue(error.getMessage().contains("cannot compute a MAC: usages MAC_GENERATE, MAC_VERIFY conflict with ENCRYPT"),
                error.getMessage());
    }
}
