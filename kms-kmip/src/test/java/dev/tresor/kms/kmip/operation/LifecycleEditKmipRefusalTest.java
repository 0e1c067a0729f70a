package dev.tresor.kms.kmip.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lifecycle change made inside the core's save ({@link ObjectAccess#lifecycleEdit}) that refuses
 * with a {@link KmipFailure}, the protocol's own reason: the caller meets that very refusal, the
 * core records its save as refused with the code the reason stands for (not as an internal error),
 * and nothing is saved. For a key object and for a stored object alike.
 */
class LifecycleEditKmipRefusalTest {
    private static final Instant FOREVER = Instant.parse("9999-01-01T00:00:00Z");

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private final KmipObjects objects = new KmipObjects();
    private final StoredObjects storedObjects = new StoredObjects(objects);
    private final ObjectAccess access = new ObjectAccess(objects, storedObjects);

    private OperationContext context() {
        return DirectCalls.context(core);
    }

    @Test
    void aKmipRefusalOfAKeyObjectsChangeReachesTheCallerAndTheCoreRecordsARefusal() {
        String uid = aesObject();
        Map<String, String> before = core.kms().getKey(core.admin(), ObjectId.parse(uid).key()).attributes();

        refusedInside(uid);

        assertEquals("INVALID_ARGUMENT", lastRecord("key.set-attributes").result());
        assertEquals(before, core.kms().getKey(core.admin(), ObjectId.parse(uid).key()).attributes(), "nothing saved");
    }

    /** Review revoke1 n2: not only the change, all the save does inside the core's call carries its refusal out. */
    @Test
    void aKmipRefusalOfTheRevocationAfterTheChangeReachesTheCallerAndTheCoreRecordsARefusal() {
        String uid = aesObject();
        Map<String, String> before = core.kms().getKey(core.admin(), ObjectId.parse(uid).key()).attributes();
        KmipFailure refusal = new KmipFailure(ResultReason.INVALID_FIELD, "no such Revocation Reason Code");

        KmipFailure met = assertThrows(KmipFailure.class, () -> access.lifecycleEdit(context(), named(uid),
                UnaryOperator.identity(), new CoreSteps(Set.of(LifecycleStep.REVOKE), object -> {
                    throw refusal;
                })));

        assertSame(refusal, met);
        assertEquals("INVALID_ARGUMENT", lastRecord("key.set-attributes").result());
        assertEquals(before, core.kms().getKey(core.admin(), ObjectId.parse(uid).key()).attributes(), "nothing saved");
    }

    private String aesObject() {
        return DirectCalls.aesObject(core, objects);
    }

    private static Ttlv named(String uid) {
        return DirectCalls.naming(uid);
    }

    @Test
    void aKmipRefusalOfAStoredObjectsChangeReachesTheCallerAndTheCoreRecordsARefusal() {
        String uid = storedObjects.register(context(), StoredObject.Kind.SECRET_DATA, Ttlv.structure(Tag.SECRET_DATA,
                Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[] {1, 2, 3}))), Map.of()).uid();
        Map<String, List<Ttlv>> before = storedObjects.load(context(), uid).stored();

        refusedInside(uid);

        assertEquals("INVALID_ARGUMENT", lastRecord("object.set-attributes").result());
        assertEquals(before, storedObjects.load(context(), uid).stored(), "nothing saved");
    }

    /** A lifecycle change of {@code uid} that refuses with a KmipFailure: the caller gets that failure. */
    private void refusedInside(String uid) {
        KmipFailure refusal = new KmipFailure(ResultReason.INVALID_FIELD, "no such Revocation Reason Code");
        KmipFailure met = assertThrows(KmipFailure.class, () -> access.lifecycleEdit(context(), named(uid), object -> {
            throw refusal;
        }));
        assertSame(refusal, met);
    }

    private AuditRecord lastRecord(String operation) {
        List<AuditRecord> records = core.kms().exportAudit(core.admin(), Instant.EPOCH, FOREVER).stream()
                .filter(r -> r.operation().equals(operation)).toList();
        return records.get(records.size() - 1);
    }
}
