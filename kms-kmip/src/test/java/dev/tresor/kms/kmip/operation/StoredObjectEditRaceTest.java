package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.BatchErrorContinuation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.RequestHeader;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attribute edits of a stored object (secret data here) are compare-and-set in the core: two
 * front-end instances on one core (each with its own per-object locks) editing one object at
 * once never lose an edit. The interleaving is forced: the first edit has read the object and
 * waits, inside its change, until the second has been saved.
 */
class StoredObjectEditRaceTest {
    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private OperationContext context() {
        return new OperationContext(core.admin(), null, new RequestHeader(ProtocolVersion.V2_1, Optional.empty(),
                Optional.empty(), false, Optional.empty(), false, BatchErrorContinuation.STOP, 1), new IdPlaceholder(),
                core.kms(), core.test().clock());
    }

    /** What Add Attribute of a custom attribute does to the object. */
    private static UnaryOperator<StoredObject> adding(String name, String value) {
        return object -> object.with(name, List.of(Ttlv.text(Tag.ATTRIBUTE_VALUE, value)));
    }

    @Test
    void twoFrontEndsAddingAttributesToOneSecretDataObjectAtOnceLoseNoEdit() throws Exception {
        OperationContext context = context();
        StoredObjects first = new StoredObjects(new KmipObjects());
        StoredObjects second = new StoredObjects(new KmipObjects());
        String uid = first.register(context, StoredObject.Kind.SECRET_DATA, Ttlv.structure(Tag.SECRET_DATA,
                Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[] {1, 2, 3}))), Map.of()).uid();

        CountDownLatch firstRead = new CountDownLatch(1);
        CountDownLatch secondSaved = new CountDownLatch(1);
        AtomicReference<Object> firstOutcome = new AtomicReference<>();
        Thread editor = new Thread(() -> {
            try {
                firstOutcome.set(first.change(context(), uid, read -> {
                    firstRead.countDown();
                    awaitQuietly(secondSaved);
                    return adding("x-owner", "team-a").apply(read);
                }));
            } catch (KmsError e) {
                firstOutcome.set(e);
            }
        });
        editor.start();
        firstRead.await();
        second.change(context, uid, adding("x-contact", "ops"));
        secondSaved.countDown();
        editor.join();

        KmsError refused = assertInstanceOf(KmsError.class, firstOutcome.get(), "the stale edit was saved over the other");
        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("changed by another call meanwhile"), refused.getMessage());
        first.change(context, uid, adding("x-owner", "team-a"));
        StoredObject now = first.load(context, uid);
        assertTrue(now.stored().containsKey("x-contact") && now.stored().containsKey("x-owner"),
                "both edits stand after the retry: " + now.stored().keySet());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
