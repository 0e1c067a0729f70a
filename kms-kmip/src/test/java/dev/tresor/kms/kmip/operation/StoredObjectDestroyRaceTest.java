package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.CoreWithKeyRing;
import dev.tresor.kms.testing.ThreadStates;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review destroy2 m2: a stored object's Destroy saves it Destroyed and then deletes it, two writes.
 * A second Destroy arriving between them must not make the first one's delete (which the first
 * would then find refused as already made, answering its client a failure for a destroyed object):
 * it waits for the object's lock, which the first holds across both writes, and is refused as
 * already destroyed.
 */
class StoredObjectDestroyRaceTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private OperationContext context() {
        return DirectCalls.context(core);
    }

    @Test
    void aDestroyBetweenAnotherDestroysSaveAndItsDeleteWaitsAndIsRefusedAsAlreadyDestroyed() throws Exception {
        KmipObjects objects = new KmipObjects();
        StoredObjects storedObjects = new StoredObjects(objects);
        ObjectAccess access = new ObjectAccess(objects, storedObjects);
        String uid = storedObjects.register(context(), StoredObject.Kind.SECRET_DATA, Ttlv.structure(Tag.SECRET_DATA,
                Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[] {1, 2, 3}))), Map.of()).uid();
        Ttlv destroy = DirectCalls.naming(uid);
        AtomicReference<Throwable> second = new AtomicReference<>();
        Thread secondDestroy = new Thread(() -> {
            try {
                new DestroyHandler(access).handle(context(), destroy);
            } catch (RuntimeException e) {
                second.set(e);
            }
        });

        // The first Destroy, as the handler makes it: save Destroyed, then delete, under the object's lock.
        storedObjects.locked(uid, () -> {
            StoredObject saved = (StoredObject) access.lifecycleEdit(context(), destroy,
                    object -> object.withState(object.state().afterDestroy()));
            secondDestroy.start();
            awaitWaitingForTheLock(secondDestroy);
            storedObjects.delete(context(), saved);
            return saved;
        });
        secondDestroy.join();

        KmsError refused = assertInstanceOf(KmsError.class, second.get(), "the second Destroy succeeded");
        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("object " + uid + " is already destroyed"), refused.getMessage());
        assertEquals(List.of("object.delete ok"), records("object.delete"), "one delete, the first Destroy's");
        assertEquals(List.of("object.set-attributes ok", "object.set-attributes FAILED_PRECONDITION"),
                records("object.set-attributes"), "the first's save, the second's refusal");
        assertTrue(storedObjects.load(context(), uid).object().deleted());
    }

    /** Until {@code thread} waits, for the object's lock: the old code never did, and deleted the object meanwhile. */
    private static void awaitWaitingForTheLock(Thread thread) {
        try {
            ThreadStates.awaitState(thread, Thread.State.WAITING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private List<String> records(String operation) {
        return core.kms().exportAudit(core.admin(), Instant.EPOCH, FOREVER).stream()
                .filter(r -> r.operation().equals(operation)).map(AuditRecord::result)
                .map(result -> operation + " " + result).toList();
    }
}
