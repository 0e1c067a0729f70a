package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.key.VersionState;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.CoreWithKeyRing;
import dev.tresor.kms.testing.UtcTestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core steps KMIP Destroy and Revoke declare and choose for a key object, saved through
 * {@link ObjectAccess#lifecycleEdit} into the real core: a Destroy that lost to a REST rotate is
 * judged again on the fresh key and destroys only its version (review destroy2 m3), a Revoke that
 * lost to a REST delete of its key is refused as destroyed (review destroy4 m1); a step the
 * request cannot make is refused by the core, as each handler declares only its own (review
 * destroy3 nit 1, destroy2 nit 1).
 */
class KeyObjectCoreStepsTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");
    private static final int RSA = 0x04;
    private static final int SIGN_AND_VERIFY = 0x03;
    private static final int KEY_COMPROMISE = 2;
    private static final Set<String> SAVE_RECORDS = Set.of("key.set-attributes", "version.destroy", "version.revoke",
            "key.delete");
    private static final UnaryOperator<Managed> DESTROYING = object -> object.withState(object.state().afterDestroy());

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private final KmipObjects objects = new KmipObjects();
    private final ObjectAccess access = new ObjectAccess(objects, new StoredObjects(objects));

    /**
     * A Destroy chooses to delete the key of its one-version object, and REST rotates the key before
     * the save is written: the save is changed meanwhile, and its retry reloads the object, chooses
     * the version's destroy, and leaves the new version and the key as they are.
     */
    @Test
    void aDestroyOfAKeyRestRotatedBeforeItsSaveIsTriedAgainAndDestroysOnlyItsVersion() {
        String uid = DirectCalls.aesObject(core, objects);
        KeyRef key = ObjectId.parse(uid).key();
        CoreSteps destroy = DestroyHandler.coreSteps(ObjectId.parse(uid));
        AtomicInteger chosen = new AtomicInteger();
        CoreSteps rotatedMeanwhile = new CoreSteps(destroy.possible(), object -> {
            if (chosen.getAndIncrement() == 0) {
                core.kms().rotateKey(core.admin(), key);
            }
            return destroy.chosen().apply(object);
        });

        access.lifecycleEdit(context(), DirectCalls.naming(uid), DESTROYING, rotatedMeanwhile);

        assertEquals(List.of("key.set-attributes FAILED_PRECONDITION", "key.set-attributes ok", "version.destroy ok"),
                saveRecords());
        assertEquals(2, chosen.get());
        assertEquals(KeyState.ACTIVE, core.kms().getKey(core.admin(), key).state());
        assertEquals(VersionState.DESTROYED, core.kms().getVersion(core.admin(), key.version(1)).state());
        assertEquals(VersionState.ACTIVE, core.kms().getVersion(core.admin(), key.version(2)).state());
    }

    /**
     * Review destroy4 m1: REST deletes the key between a Revoke's load of its object and the save.
     * The save's revocation meets the deleted key (changed meanwhile); the retry reads the object
     * Destroyed and refuses the Revoke as it would one after the delete, nothing saved. A REST
     * restore then finds the object and its version as they were, and a new Revoke revokes it.
     */
    @Test
    void aRevokeWhoseKeyRestDeletesBeforeItsSaveIsRefusedAsDestroyedAndTheRestoredKeyIsRevokedAfter()
            throws InterruptedException {
        String uid = DirectCalls.aesObject(core, objects);
        KeyRef key = ObjectId.parse(uid).key();
        HoldInside load = new HoldInside(KmipObjects.class, "load");
        Clock heldInTheLoad = new UtcTestClock() {
            @Override
            public Instant instant() {
                load.here();
                return core.test().clock().instant();
            }
        };
        AtomicReference<RuntimeException> refusal = new AtomicReference<>();
        Thread revoke = new Thread(() -> {
            try {
                new RevokeHandler(access).handle(DirectCalls.context(core, heldInTheLoad), compromise(uid));
            } catch (RuntimeException e) {
                refusal.set(e);
            }
        });
        load.hold(revoke);
        revoke.start();
        try {
            load.awaitHeld();
            core.kms().deleteKey(core.admin(), key);
        } finally {
            load.release(); // a held Revoke would keep the object's lock forever
        }
        revoke.join(Duration.ofMinutes(1).toMillis());
        assertFalse(revoke.isAlive(), "the Revoke never ended");

        KmsError refused = assertInstanceOf(KmsError.class, refusal.get(), "the Revoke succeeded");
        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertEquals("object " + uid + " is destroyed", refused.getMessage());
        assertEquals(List.of("key.delete ok", "key.set-attributes FAILED_PRECONDITION",
                "key.set-attributes FAILED_PRECONDITION"), saveRecords(), "the changed-meanwhile save, then the refusal");

        core.kms().restoreKey(core.admin(), key);
        assertEquals(ObjectState.PRE_ACTIVE, objects.load(context(), uid).state());
        assertEquals(Optional.empty(), core.kms().getVersion(core.admin(), key.version(1)).revocation());
        new RevokeHandler(access).handle(context(), compromise(uid));
        assertEquals(ObjectState.COMPROMISED, objects.load(context(), uid).state());
        assertEquals(List.of("key.set-attributes ok", "version.revoke ok"), saveRecords().subList(3, 5));
    }

    /**
     * Review s11 m5, as docs/kmip.md says: a pair's public half holds no version and outlives a REST
     * delete of its key, so a Revoke of it saves its new state and revokes no version, while the
     * private half reads Destroyed.
     */
    @Test
    void aPublicHalfWhoseKeyRestDeletedIsRevokedAndItsPrivateHalfReadsDestroyed() {
        Ttlv pair = rsaPair();
        String publicKey = pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();
        String privateKey = pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
        core.kms().deleteKey(core.admin(), ObjectId.parse(publicKey).key());

        new RevokeHandler(access).handle(context(), compromise(publicKey));

        assertEquals(ObjectState.COMPROMISED, objects.load(context(), publicKey).state());
        assertEquals(List.of("key.delete ok", "key.set-attributes ok"), saveRecords(), "no version revoked");
        assertEquals(ObjectState.DESTROYED, objects.load(context(), privateKey).state());
    }

    /** A pair's public half declares only the delete of a key whose version is destroyed: a plain delete is refused. */
    @Test
    void aPublicHalfsDestroyThatChoseAPlainDeleteIsRefusedAndDeletesNothing() {
        String publicKey = rsaPair().require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();
        CoreSteps declared = DestroyHandler.coreSteps(ObjectId.parse(publicKey));

        refusedAsUndeclared(publicKey, DESTROYING, LifecycleStep.DELETE_KEY, declared.possible());

        assertEquals(KeyState.ACTIVE, core.kms().getKey(core.admin(), ObjectId.parse(publicKey).key()).state());
    }

    /** A Revoke for a reason other than a compromise declares only the plain revocation. */
    @Test
    void aPlainRevokeThatChoseACompromiseIsRefusedAndRevokesNothing() {
        String uid = DirectCalls.aesObject(core, objects);

        refusedAsUndeclared(uid, object -> object.withState(ObjectState.DEACTIVATED),
                LifecycleStep.REVOKE_COMPROMISED, RevokeHandler.coreSteps(LifecycleStep.REVOKE).possible());

        assertEquals(Optional.empty(),
                core.kms().getVersion(core.admin(), ObjectId.parse(uid).key().version(1)).revocation());
    }

    /** A save of {@code uid} declaring {@code declared} whose chooser picks {@code step}: refused, one record. */
    private void refusedAsUndeclared(String uid, UnaryOperator<Managed> change, LifecycleStep step,
                                     Set<LifecycleStep> declared) {
        KmsError refused = assertThrows(KmsError.class, () -> access.lifecycleEdit(context(), DirectCalls.naming(uid),
                change, new CoreSteps(declared, object -> Optional.of(step))));

        assertEquals(ErrorCode.INTERNAL, refused.code(), refused.getMessage());
        assertEquals(List.of("key.set-attributes INTERNAL"), saveRecords());
        assertEquals(ObjectState.PRE_ACTIVE, objects.load(context(), uid).state(), "nothing saved");
    }

    /** A Revoke request of {@code uid} for a key compromise. */
    private static Ttlv compromise(String uid) {
        return Ttlv.structure(Tag.REQUEST_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid), Ttlv.structure(
                Tag.REVOCATION_REASON, Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, KEY_COMPROMISE)));
    }

    private Ttlv rsaPair() {
        return new CreateKeyPairHandler(new NewObjects(objects)).handle(context(), Ttlv.structure(Tag.REQUEST_PAYLOAD,
                Ttlv.structure(Tag.COMMON_ATTRIBUTES, Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, RSA),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, SIGN_AND_VERIFY))));
    }

    /** Operation and result of every record of a key object's save and its step. */
    private List<String> saveRecords() {
        return core.kms().exportAudit(core.admin(), Instant.EPOCH, FOREVER).stream()
                .filter(r -> SAVE_RECORDS.contains(r.operation())).map(r -> r.operation() + " " + r.result()).toList();
    }

    private OperationContext context() {
        return DirectCalls.context(core);
    }
}
