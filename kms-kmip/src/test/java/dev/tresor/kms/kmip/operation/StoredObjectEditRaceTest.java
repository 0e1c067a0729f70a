package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attribute edits of a stored object (secret data here) are compare-and-set in the core: two
 * front-end instances on one core (each with its own per-object locks) editing one object at
 * once never lose an edit. The interleaving is forced: the first edit has read the object and
 * waits, inside its change, until the second has been saved; the first is then refused by the
 * core and applied again to a fresh read, a bounded number of times.
 */
class StoredObjectEditRaceTest {
    private static final long PATIENCE_SECONDS = 30;

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private OperationContext context() {
        return DirectCalls.context(core);
    }

    /** What Add Attribute of a custom attribute does to the object. */
    private static UnaryOperator<StoredObject> adding(String name, String value) {
        return object -> object.with(name, List.of(Ttlv.text(Tag.ATTRIBUTE_VALUE, value)));
    }

    private String secretData(StoredObjects objects) {
        return objects.register(context(), StoredObject.Kind.SECRET_DATA, Ttlv.structure(Tag.SECRET_DATA,
                Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[] {1, 2, 3}))), Map.of()).uid();
    }

    @Test
    void twoFrontEndsAddingAttributesToOneSecretDataObjectAtOnceLoseNoEdit() throws Exception {
        StoredObjects first = new StoredObjects(new KmipObjects());
        StoredObjects second = new StoredObjects(new KmipObjects());
        String uid = secretData(first);

        CountDownLatch firstRead = new CountDownLatch(1);
        CountDownLatch secondSaved = new CountDownLatch(1);
        AtomicInteger tries = new AtomicInteger();
        AtomicReference<Object> firstOutcome = new AtomicReference<>();
        Thread editor = new Thread(() -> {
            try {
                firstOutcome.set(first.change(context(), uid, read -> {
                    tries.incrementAndGet();
                    firstRead.countDown();
                    awaitQuietly(secondSaved);
                    return adding("x-owner", "team-a").apply(read);
                }, UnaryOperator.identity()));
            } catch (Throwable t) {
                firstOutcome.set(t);
            }
        });
        editor.setDaemon(true);
        editor.start();
        try {
            assertTrue(firstRead.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "the first edit never read the object");
            second.change(context(), uid, adding("x-contact", "ops"), UnaryOperator.identity());
        } finally {
            secondSaved.countDown();
        }
        editor.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));

        assertInstanceOf(StoredObject.class, firstOutcome.get(), "the first edit failed");
        assertEquals(2, tries.get(), "the edit that read before the other was saved is refused once, then applied"
                + " again to a fresh read");
        StoredObject now = first.load(context(), uid);
        assertTrue(now.stored().containsKey("x-contact") && now.stored().containsKey("x-owner"),
                "both edits stand: " + now.stored().keySet());
    }

    @Test
    void anEditThatLosesEveryTryGivesUpWithTheConflictAndChangesNothing() {
        StoredObjects first = new StoredObjects(new KmipObjects());
        StoredObjects second = new StoredObjects(new KmipObjects());
        String uid = secretData(first);
        AtomicInteger tries = new AtomicInteger();

        KmsError lost = assertThrows(KmsError.class, () -> first.change(context(), uid, read -> {
            second.change(context(), uid, adding("x-other-" + tries.incrementAndGet(), "meanwhile"),
                    UnaryOperator.identity());
            return adding("x-owner", "team-a").apply(read);
        }, UnaryOperator.identity()));
        assertTrue(lost.is(KmsError.Detail.CHANGED_MEANWHILE), lost.getMessage());
        assertEquals(ErrorCode.FAILED_PRECONDITION, lost.code());
        assertTrue(lost.getMessage().contains("changed by another call meanwhile; try again"), lost.getMessage());
        assertEquals(CompareAndSetTries.TRIES, tries.get());
        StoredObject now = first.load(context(), uid);
        assertEquals(false, now.stored().containsKey("x-owner"), "a lost edit was saved");
        assertTrue(now.stored().keySet().containsAll(List.of("x-other-1", "x-other-2", "x-other-3")),
                now.stored().keySet().toString());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "the other edit never ended");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
