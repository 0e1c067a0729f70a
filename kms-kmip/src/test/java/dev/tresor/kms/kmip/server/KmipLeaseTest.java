package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Lease Time, Obtain Lease and the Short Unique Identifier, over real TLS against a real core. */
class KmipLeaseTest {
    private static final int SECRET_DATA = 0x07;
    private static final int OPAQUE_OBJECT = 0x08;
    private static final int KEY_COMPROMISE = 0x02;
    private static final int QUERY_OPERATIONS = 0x01;
    private static final long DEFAULT_LEASE_SECONDS = 3600;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void aNewKeyAndSecretDataCarryTheServersLeaseButAnOpaqueObjectDoesNot() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = kmip.createAes256();
            String secret = register(kmip, SECRET_DATA, Ttlv.structure(Tag.SECRET_DATA,
                    Ttlv.enumeration(Tag.SECRET_DATA_TYPE, 0x01), Ttlv.structure(Tag.KEY_BLOCK,
                            Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 0x02), Ttlv.structure(Tag.KEY_VALUE,
                                    Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of("s3cret".getBytes(StandardCharsets.UTF_8)))))));
            String opaque = register(kmip, OPAQUE_OBJECT, opaqueObject());
            for (String uid : List.of(key, secret)) {
                Ttlv lease = all(kmip, uid).require(Tag.LEASE_TIME);
                assertEquals(ItemType.INTERVAL, lease.type());
                assertEquals(DEFAULT_LEASE_SECONDS, seconds(lease));
            }
            assertTrue(all(kmip, opaque).find(Tag.LEASE_TIME).isEmpty());

            Ttlv oneFour = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(key));
            assertTrue(oneFour.all(Tag.ATTRIBUTE_NAME).stream().anyMatch(n -> n.asText().equals("Lease Time")));
        }
    }

    @Test
    void obtainLeaseOnAnActiveKeyAnswersTheLeaseAndTheLastChangeDateAndChangesNothing() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = kmip.createAes256();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(key));
            Ttlv before = all(kmip, key);
            LOOPBACK.server().core.clock().advance(Duration.ofMinutes(5));

            Ttlv lease = kmip.ok(Operation.OBTAIN_LEASE, Kmip.uid(key));

            assertEquals(key, lease.require(Tag.UNIQUE_IDENTIFIER).asText());
            assertEquals(ItemType.INTERVAL, lease.require(Tag.LEASE_TIME).type());
            assertEquals(DEFAULT_LEASE_SECONDS, seconds(lease.require(Tag.LEASE_TIME)));
            assertEquals(before.require(Tag.LAST_CHANGE_DATE).asDateTime(),
                    lease.require(Tag.LAST_CHANGE_DATE).asDateTime());
            assertEquals(before, all(kmip, key));
            Ttlv oneX = new Kmip(client, ProtocolVersion.V1_2).ok(Operation.OBTAIN_LEASE, Kmip.uid(key));
            assertEquals(DEFAULT_LEASE_SECONDS, seconds(oneX.require(Tag.LEASE_TIME)));
        }
    }

    @Test
    void obtainLeaseIsRefusedForAnObjectThatMayNotBeUsed() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String preActive = kmip.createAes256();
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(),
                    kmip.refused(Operation.OBTAIN_LEASE, Kmip.uid(preActive)));

            String compromised = kmip.createAes256();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(compromised));
            kmip.ok(Operation.REVOKE, Kmip.uid(compromised), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, KEY_COMPROMISE)));
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(),
                    kmip.refused(Operation.OBTAIN_LEASE, Kmip.uid(compromised)));

            String destroyed = kmip.createAes256();
            kmip.ok(Operation.DESTROY, Kmip.uid(destroyed));
            assertEquals(ResultReason.OBJECT_DESTROYED.code(), kmip.refused(Operation.OBTAIN_LEASE, Kmip.uid(destroyed)));
            assertEquals(ResultReason.PERMISSION_DENIED.code(), new Kmip(client, ProtocolVersion.V1_4)
                    .refused(Operation.OBTAIN_LEASE, Kmip.uid(destroyed)));

            String opaque = register(kmip, OPAQUE_OBJECT, opaqueObject());
            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.OBTAIN_LEASE, Kmip.uid(opaque)));
            assertEquals(ResultReason.OBJECT_NOT_FOUND.code(),
                    kmip.refused(Operation.OBTAIN_LEASE, Kmip.uid("00000000-0000-0000-0000-000000000000")));
        }
    }

    @Test
    void noClientSetsTheLeaseTimeOrTheShortUniqueIdentifier() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = kmip.createAes256(Ttlv.interval(Tag.LEASE_TIME, 60));
            assertEquals(DEFAULT_LEASE_SECONDS, seconds(all(kmip, key).require(Tag.LEASE_TIME)));
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.SET_ATTRIBUTE, Kmip.uid(key),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.interval(Tag.LEASE_TIME, 60))));
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.SET_ATTRIBUTE, Kmip.uid(key),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.bytes(Tag.SHORT_UNIQUE_IDENTIFIER, Bytes.of(new byte[32])))));
        }
    }

    @Test
    void queryListsObtainLease() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Ttlv answer = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.QUERY,
                    Ttlv.enumeration(Tag.QUERY_FUNCTION, QUERY_OPERATIONS));
            assertTrue(answer.all(Tag.OPERATION).stream().anyMatch(o -> o.asEnum() == Operation.OBTAIN_LEASE.code()));
        }
    }

    @Test
    void theShortUniqueIdentifierIsTheSha256OfTheUniqueIdentifierAndOnlyTwoXKnowsIt() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = kmip.createAes256();
            String opaque = register(kmip, OPAQUE_OBJECT, opaqueObject());
            for (String uid : List.of(key, opaque)) {
                byte[] expected = MessageDigest.getInstance("SHA-256").digest(uid.getBytes(StandardCharsets.UTF_8));
                assertArrayEquals(expected, all(kmip, uid).require(Tag.SHORT_UNIQUE_IDENTIFIER).asBytes().toArray());
            }
            Ttlv oneFour = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(key));
            assertFalse(oneFour.all(Tag.ATTRIBUTE_NAME).stream()
                    .anyMatch(n -> n.asText().equals("Short Unique Identifier")));
        }
    }

    private static Ttlv opaqueObject() {
        return Ttlv.structure(Tag.OPAQUE_OBJECT, Ttlv.enumeration(Tag.OPAQUE_DATA_TYPE, 0x80000001),
                Ttlv.bytes(Tag.OPAQUE_DATA_VALUE, Bytes.wrap(new byte[] {1, 2, 3})));
    }

    private static String register(Kmip kmip, int type, Ttlv object) throws Exception {
        return kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, type), kmip.attributes(), object)
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    private static long seconds(Ttlv interval) {
        assertEquals(ItemType.INTERVAL, interval.type());
        return (Long) interval.value();
    }

    /** Every attribute of a 2.x Get Attributes answer. */
    private static Ttlv all(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid)).require(Tag.ATTRIBUTES);
    }
}
