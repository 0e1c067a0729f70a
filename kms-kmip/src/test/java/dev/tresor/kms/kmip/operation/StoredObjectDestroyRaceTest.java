package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.WriteBatch;
import dev.tresor.kms.testing.CoreWithKeyRing;
import dev.tresor.kms.testing.ForwardingStore;
import dev.tresor.kms.testing.ThreadStates;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Review destroy2 m2: a stored object's Destroy saves it Destroyed and then deletes it, two writes.
 * A second Destroy arriving between them must not make the first one's delete (which the first
 * would then find refused as already made, answering its client a failure for a destroyed object):
 * it waits for the object's lock, which the first holds across both writes, and is refused as
 * already destroyed. Both are the handler's own (review destroy4 m3): the store holds the first
 * Destroy's delete, the write made inside {@link StoredObjects#delete}, before it is queued.
 */
class StoredObjectDestroyRaceTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    private final HoldInside delete = new HoldInside(StoredObjects.class, "delete");

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing(store -> new ForwardingStore(store) {
        @Override
        public CompletableFuture<Void> submit(WriteBatch batch) {
            delete.here();
            return super.submit(batch);
        }
    });

    private OperationContext context() {
        return DirectCalls.context(core);
    }

    @Test
    void aDestroyBetweenAnotherDestroysSaveAndItsDeleteWaitsAndIsRefusedAsAlreadyDestroyed() throws Exception {
        KmipObjects objects = new KmipObjects();
        StoredObjects storedObjects = new StoredObjects(objects);
        DestroyHandler handler = new DestroyHandler(new ObjectAccess(objects, storedObjects));
        String uid = storedObjects.register(context(), StoredObject.Kind.SECRET_DATA, Ttlv.structure(Tag.SECRET_DATA,
                Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[] {1, 2, 3}))), Map.of()).uid();
        AtomicReference<RuntimeException> firstFailure = new AtomicReference<>();
        AtomicReference<RuntimeException> secondFailure = new AtomicReference<>();
        Thread first = destroying(handler, uid, firstFailure);
        Thread second = destroying(handler, uid, secondFailure);

        delete.hold(first);
        first.start();
        try {
            delete.awaitHeld();
            second.start();
            awaitWaitingForTheObjectsLock(second);
        } finally {
            delete.release(); // a held first Destroy would keep the object's lock forever
        }
        for (Thread destroy : List.of(first, second)) {
            destroy.join(Duration.ofMinutes(1).toMillis());
            assertFalse(destroy.isAlive(), destroy + " never ended");
        }

        assertNull(firstFailure.get(), "the first Destroy failed");
        KmsError refused = assertInstanceOf(KmsError.class, secondFailure.get(), "the second Destroy succeeded");
        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("object " + uid + " is already destroyed"), refused.getMessage());
        assertEquals(List.of("object.delete ok"), records("object.delete"), "one delete, the first Destroy's");
        assertEquals(List.of("object.set-attributes ok", "object.set-attributes FAILED_PRECONDITION"),
                records("object.set-attributes"), "the first's save, the second's refusal");
        assertTrue(storedObjects.load(context(), uid).object().deleted());
    }

    private Thread destroying(DestroyHandler handler, String uid, AtomicReference<RuntimeException> failure) {
        return new Thread(() -> {
            try {
                handler.handle(context(), DirectCalls.naming(uid));
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
    }

    /**
     * Until {@code thread} waits, for the KMIP lock of the object: with the delete outside that lock
     * it would take it, read the object saved Destroyed but not deleted, and wait in the core instead.
     */
    private static void awaitWaitingForTheObjectsLock(Thread thread) throws InterruptedException {
        ThreadStates.awaitState(thread, Thread.State.WAITING);
        StackTraceElement waitingIn = Arrays.stream(thread.getStackTrace())
                .filter(frame -> frame.getClassName().startsWith("dev.tresor.")).findFirst().orElseThrow();
        assertEquals(KmipObjects.class.getName() + ".locked", waitingIn.getClassName() + "." + waitingIn.getMethodName());
    }

    private List<String> records(String operation) {
        return core.kms().exportAudit(core.admin(), Instant.EPOCH, FOREVER).stream()
                .filter(r -> r.operation().equals(operation)).map(AuditRecord::result)
                .map(result -> operation + " " + result).toList();
    }
}
