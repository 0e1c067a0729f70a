package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.key.AttributeReplacement;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An attribute save that destroys its version or deletes its key (KMIP Destroy) is one write: the
 * attributes, the core's step and both audit records are stored together, a save whose write is
 * refused stores neither, and a step already made (through REST) is left out and not recorded.
 */
class DestroyingAttributeSaveTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");
    private static final Map<String, String> DESTROYED = Map.of("state", "destroyed");

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private Key aes(String name) {
        return core.kms().createKey(core.admin(), CreateKey.typed(core.ring(), name, KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), Map.of()));
    }

    private Key save(Caller caller, Key read, LifecycleStep step) {
        return saveAfter(caller, read, step, () -> { });
    }

    /**
     * {@link #save}, with {@code meanwhile} run by the save's supplier: after the read, before the
     * key's lock, where a REST call lands between a KMIP load and its save.
     */
    private Key saveAfter(Caller caller, Key read, LifecycleStep step, Runnable meanwhile) {
        return core.kms().replaceAttributes(caller, KeyRef.byId(read.id()), read.attributes(), 1, Set.of(step), () -> {
            meanwhile.run();
            return new AttributeReplacement(DESTROYED, UsePeriod.ALWAYS, Optional.of(step));
        });
    }

    private Key key(Key key) {
        return core.kms().getKey(core.admin(), KeyRef.byId(key.id()));
    }

    private VersionState firstVersion(Key key) {
        return core.kms().getVersion(core.admin(), KeyRef.byId(key.id()).version(1)).state();
    }

    /** Operation, result and resource of the records from the last {@code key.set-attributes} on. */
    private List<String> lastSave() {
        List<AuditRecord> records = core.kms().exportAudit(core.admin(), Instant.EPOCH, FOREVER);
        int save = records.stream().map(AuditRecord::operation).toList().lastIndexOf("key.set-attributes");
        return records.subList(save, records.size()).stream()
                .map(r -> r.operation() + " " + r.result() + " " + r.resource()).toList();
    }

    @Test
    void aDestroyingSaveDestroysTheVersionWithTheAttributesAndBothRecordsInOneWrite() {
        Key key = aes("k");
        core.kms().rotateKey(core.admin(), KeyRef.byId(key.id()));

        Key saved = save(core.admin(), key, LifecycleStep.DESTROY_VERSION);

        List<String> written = lastSave();
        assertEquals(DESTROYED, saved.attributes());
        assertEquals(VersionState.DESTROYED, firstVersion(key));
        assertEquals(VersionState.ACTIVE, core.kms().getVersion(core.admin(), KeyRef.byId(key.id()).version(2)).state());
        assertEquals(List.of("key.set-attributes ok keys/" + key.id(),
                "version.destroy ok keys/" + key.id() + "/versions/1"), written);
    }

    @Test
    void aDeletingSaveDeletesTheKeyWithTheAttributesAndBothRecordsInOneWrite() {
        Key key = aes("k");

        Key saved = save(core.admin(), key, LifecycleStep.DELETE_KEY);

        List<String> written = lastSave();
        assertEquals(KeyState.DELETED, saved.state());
        assertEquals(DESTROYED, key(key).attributes());
        assertEquals(KeyState.DELETED, key(key).state());
        assertEquals(List.of("key.set-attributes ok keys/" + key.id(), "key.delete ok keys/" + key.id()), written);
    }

    @Test
    void aStepMadeThroughRestMeanwhileIsLeftOutAndNotRecorded() {
        Key destroyed = aes("destroyed");
        core.kms().rotateKey(core.admin(), KeyRef.byId(destroyed.id()));
        core.kms().destroyVersion(core.admin(), KeyRef.byId(destroyed.id()).version(1));
        Key deleted = aes("deleted");
        core.kms().deleteKey(core.admin(), KeyRef.byId(deleted.id()));

        save(core.admin(), destroyed, LifecycleStep.DESTROY_VERSION);
        List<String> afterDestroyed = lastSave();
        save(core.admin(), deleted, LifecycleStep.DELETE_KEY);

        assertEquals(List.of("key.set-attributes ok keys/" + deleted.id()), lastSave());
        assertEquals(List.of("key.set-attributes ok keys/" + destroyed.id()), afterDestroyed);
        assertEquals(DESTROYED, key(destroyed).attributes());
        assertEquals(DESTROYED, key(deleted).attributes());
    }

    /**
     * A version step on a version whose destroy REST made long enough ago that it is purged: its
     * material is gone for good, so the save is made and the step left out, not refused.
     */
    @Test
    void aVersionStepOnAPurgedVersionIsLeftOutAndNotRecorded() {
        Key purged = aes("purged");
        core.kms().rotateKey(core.admin(), KeyRef.byId(purged.id()));
        core.kms().destroyVersion(core.admin(), KeyRef.byId(purged.id()).version(1));
        core.test().clock().advance(Duration.ofDays(31));

        save(core.admin(), purged, LifecycleStep.REVOKE);

        assertEquals(List.of("key.set-attributes ok keys/" + purged.id()), lastSave());
        assertEquals(DESTROYED, key(purged).attributes());
    }

    /**
     * Review destroy2 m1: a version step on a key REST deleted between the front-end's read and the
     * save. The delete is a soft one: a save with the step left out would leave the object saying
     * Compromised or Destroyed of a version a restore brings back live. The save changed meanwhile
     * and writes nothing; KMIP's retry then reads the object of the deleted key as Destroyed.
     */
    @Test
    void aVersionStepOnAKeyRestDeletedMeanwhileIsChangedMeanwhileAndSavesNothing() {
        for (LifecycleStep step : List.of(LifecycleStep.REVOKE_COMPROMISED, LifecycleStep.DESTROY_VERSION)) {
            Key key = aes(step.name());
            core.kms().rotateKey(core.admin(), KeyRef.byId(key.id()));

            KmsError refused = assertThrows(KmsError.class, () -> saveAfter(core.admin(), key, step,
                    () -> core.kms().deleteKey(core.admin(), KeyRef.byId(key.id()))));

            List<String> written = lastSave();
            assertTrue(refused.is(KmsError.Detail.CHANGED_MEANWHILE), step + ": " + refused.getMessage());
            assertEquals(List.of("key.set-attributes FAILED_PRECONDITION keys/" + key.id()), written, step.name());
            assertEquals(key.attributes(), key(key).attributes(), step.name());
            assertEquals(KeyState.DELETED, key(key).state(), step.name());
            KeyVersion first = core.kms().getVersion(core.admin(), KeyRef.byId(key.id()).version(1));
            assertEquals(VersionState.ACTIVE, first.state(), step.name());
            assertEquals(Optional.empty(), first.revocation(), step.name());
        }
    }

    /**
     * A key deletion chosen on a key of one version, with a version REST added before the save is
     * written (the supplier runs before the key's lock): deleting the key would take the new
     * primary version with it, so the save loses its compare-and-set and writes nothing.
     */
    @Test
    void aDeletingSaveOfAKeyRotatedMeanwhileIsChangedMeanwhileAndDeletesNothing() {
        Key key = aes("k");

        KmsError refused = assertThrows(KmsError.class, () -> saveAfter(core.admin(), key, LifecycleStep.DELETE_KEY,
                () -> core.kms().rotateKey(core.admin(), KeyRef.byId(key.id()))));

        List<String> written = lastSave();
        assertTrue(refused.is(KmsError.Detail.CHANGED_MEANWHILE), refused.getMessage());
        assertEquals(KeyState.ACTIVE, key(key).state());
        assertEquals(key.attributes(), key(key).attributes());
        assertEquals(VersionState.ACTIVE, core.kms().getVersion(core.admin(), KeyRef.byId(key.id()).version(2)).state());
        assertEquals(List.of("key.set-attributes FAILED_PRECONDITION keys/" + key.id()), written);
    }

    /**
     * Review destroy3 m2: a pair's public-half Destroy (DELETE_KEY_IF_DESTROYED, after the private
     * half's DESTROY_VERSION) deletes the key while the version is destroyed, in the save's write.
     */
    @Test
    void aDeleteIfDestroyedSaveDeletesTheKeyWhoseVersionIsDestroyed() {
        Key key = aes("k");
        Key destroyed = save(core.admin(), key, LifecycleStep.DESTROY_VERSION);

        Key saved = save(core.admin(), destroyed, LifecycleStep.DELETE_KEY_IF_DESTROYED);

        assertEquals(List.of("key.set-attributes ok keys/" + key.id(), "key.delete ok keys/" + key.id()), lastSave());
        assertEquals(KeyState.DELETED, saved.state());
        assertEquals(KeyState.DELETED, key(key).state());
    }

    /** ... and once the version is purged: its material is gone, the key is deleted all the same. */
    @Test
    void aDeleteIfDestroyedSaveDeletesTheKeyWhoseVersionIsPurged() {
        Key key = aes("k");
        Key destroyed = save(core.admin(), key, LifecycleStep.DESTROY_VERSION);
        core.test().clock().advance(Duration.ofDays(31));

        save(core.admin(), destroyed, LifecycleStep.DELETE_KEY_IF_DESTROYED);

        assertEquals(List.of("key.set-attributes ok keys/" + key.id(), "key.delete ok keys/" + key.id()), lastSave());
        assertEquals(KeyState.DELETED, key(key).state());
    }

    /**
     * ... but keeps the key whose version an admin restored through REST since: the attributes are
     * saved, the key and the version stay as they are, and only the save is recorded.
     */
    @Test
    void aDeleteIfDestroyedSaveKeepsTheKeyWhoseVersionRestRestored() {
        Key key = aes("k");
        Key destroyed = save(core.admin(), key, LifecycleStep.DESTROY_VERSION);
        core.kms().restoreVersion(core.admin(), KeyRef.byId(key.id()).version(1));

        save(core.admin(), destroyed, LifecycleStep.DELETE_KEY_IF_DESTROYED);

        assertEquals(List.of("key.set-attributes ok keys/" + key.id()), lastSave());
        assertEquals(KeyState.ACTIVE, key(key).state());
        assertEquals(VersionState.ACTIVE, firstVersion(key));
        assertEquals(DESTROYED, key(key).attributes());
    }

    /**
     * ... and keeps it, with no CHANGED_MEANWHILE, when REST rotated it between the read and the save
     * while version 1 is live: the step is left out (it would be on a try again too), not refused.
     */
    @Test
    void aDeleteIfDestroyedSaveOfAKeyRotatedMeanwhileWithItsVersionLiveKeepsTheKey() {
        Key key = aes("k");

        saveAfter(core.admin(), key, LifecycleStep.DELETE_KEY_IF_DESTROYED,
                () -> core.kms().rotateKey(core.admin(), KeyRef.byId(key.id())));

        assertEquals(List.of("key.set-attributes ok keys/" + key.id()), lastSave());
        assertEquals(KeyState.ACTIVE, key(key).state());
        assertEquals(VersionState.ACTIVE, firstVersion(key));
        assertEquals(VersionState.ACTIVE, core.kms().getVersion(core.admin(), KeyRef.byId(key.id()).version(2)).state());
        assertEquals(DESTROYED, key(key).attributes());
    }

    /** ... and on a key REST deleted meanwhile, a key step, is left out: the key is deleted already. */
    @Test
    void aDeleteIfDestroyedSaveOfAKeyRestDeletedMeanwhileIsLeftOutAndNotRecorded() {
        Key key = aes("k");
        Key destroyed = save(core.admin(), key, LifecycleStep.DESTROY_VERSION);

        saveAfter(core.admin(), destroyed, LifecycleStep.DELETE_KEY_IF_DESTROYED,
                () -> core.kms().deleteKey(core.admin(), KeyRef.byId(key.id())));

        assertEquals(List.of("key.set-attributes ok keys/" + key.id()), lastSave());
        assertEquals(KeyState.DELETED, key(key).state());
    }

    /**
     * The write itself refused once the step was made (an undo scope already undone refuses it just
     * before it writes): had the step been written apart from the save, the material would be gone
     * with the object still saying it is not, or the other way round.
     */
    @Test
    void aDestroyingSaveWhoseWriteIsRefusedDestroysAndDeletesNothing() {
        Key versioned = aes("versioned");
        core.kms().rotateKey(core.admin(), KeyRef.byId(versioned.id()));
        Key single = aes("single");
        UndoScope scope = new UndoScope();
        core.kms().undo(core.admin(), scope, "items");
        Caller undone = core.admin().undoableIn(scope);

        assertThrows(KmsError.class, () -> save(undone, versioned, LifecycleStep.DESTROY_VERSION));
        assertThrows(KmsError.class, () -> save(undone, single, LifecycleStep.DELETE_KEY));

        List<String> written = lastSave();
        assertEquals(VersionState.ACTIVE, firstVersion(versioned));
        assertEquals(versioned.attributes(), key(versioned).attributes());
        assertEquals(KeyState.ACTIVE, key(single).state());
        assertEquals(single.attributes(), key(single).attributes());
        assertEquals(List.of("key.set-attributes FAILED_PRECONDITION keys/" + single.id()), written);
        assertEquals(List.of(), core.kms().exportAudit(core.admin(), Instant.EPOCH, FOREVER).stream()
                .map(AuditRecord::operation).filter(op -> op.equals("version.destroy") || op.equals("key.delete"))
                .toList());
    }
}
