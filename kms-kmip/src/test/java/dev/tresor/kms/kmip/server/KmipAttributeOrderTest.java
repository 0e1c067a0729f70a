package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which attributes an object reports after changes, and in which order, over real TLS against a real core. */
class KmipAttributeOrderTest {
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int AES = 0x03;
    private static final int ENCRYPT = 0x04;
    private static final int KEY_COMPROMISE = 0x02;
    private static final int CESSATION_OF_OPERATION = 0x05;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void customAttributesComeFirstAsSetThenTheIdentityThenTheRestByNameInTheListAndInGetAttributes() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String key = createAes(kmip);
            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(key), custom("x-zeta", "z"));
            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(key), custom("x-Alpha", "a"));
            kmip.ok(Operation.ACTIVATE, Kmip.uid(key));

            List<String> listed = kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(key)).all(Tag.ATTRIBUTE_NAME).stream()
                    .map(Ttlv::asText).toList();

            assertEquals(List.of("x-zeta", "x-Alpha", "Unique Identifier", "Object Type", "Cryptographic Algorithm",
                    "Cryptographic Length", "Activation Date", "Always Sensitive", "Cryptographic Usage Mask", "Digest",
                    "Extractable", "Fresh", "Initial Date", "Last Change Date", "Lease Time", "Name", "Never Extractable",
                    "Original Creation Date", "Random Number Generator", "Sensitive", "State"), listed);
            List<String> answered = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(key)).all(Tag.ATTRIBUTE).stream()
                    .map(a -> a.require(Tag.ATTRIBUTE_NAME).asText()).toList();
            assertEquals(listed, answered);
        }
    }

    @Test
    void twoXNamesTheKeyFormatTypeRightAfterTheDigestAndNoneOfTresorsOwnAttributes() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            String key = createAes(new Kmip(client, ProtocolVersion.V1_4));
            List<Ttlv> references = new Kmip(client, ProtocolVersion.V2_1).ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(key))
                    .all(Tag.ATTRIBUTE_REFERENCE);
            List<String> names = references.stream().map(r -> r.type() == ItemType.STRUCTURE
                    ? r.require(Tag.ATTRIBUTE_NAME).asText() : Tag.of(r.asEnum()).orElseThrow().xmlName()).toList();

            assertEquals(List.of("UniqueIdentifier", "ShortUniqueIdentifier", "ObjectType", "CryptographicAlgorithm",
                    "CryptographicLength"), names.subList(0, 5));
            assertTrue(names.stream().noneMatch(name -> name.startsWith("y-")), "Tresor's own only when named");
            assertEquals(names.indexOf("Digest") + 1, names.indexOf("KeyFormatType"));
            assertEquals("State", names.get(names.size() - 1));
        }
    }

    @Test
    void aCompromiseSetsTheCompromiseDatesAndADeactivationOnlyItsDate() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            Instant occurred = Instant.parse("1970-01-01T00:00:06Z");
            String compromised = createAes(kmip);
            kmip.ok(Operation.ACTIVATE, Kmip.uid(compromised));
            kmip.ok(Operation.REVOKE, Kmip.uid(compromised), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, KEY_COMPROMISE)),
                    Ttlv.dateTime(Tag.COMPROMISE_OCCURRENCE_DATE, occurred));
            String deactivated = createAes(kmip);
            kmip.ok(Operation.ACTIVATE, Kmip.uid(deactivated));
            kmip.ok(Operation.REVOKE, Kmip.uid(deactivated), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, CESSATION_OF_OPERATION)));
            String unstated = createAes(kmip);
            kmip.ok(Operation.REVOKE, Kmip.uid(unstated), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, KEY_COMPROMISE)));

            List<String> compromisedNames = names(kmip, compromised);
            assertTrue(compromisedNames.containsAll(List.of("Compromise Date", "Compromise Occurrence Date")));
            assertTrue(!compromisedNames.contains("Deactivation Date"));
            assertEquals(occurred, value(kmip, compromised, "Compromise Occurrence Date").asDateTime());
            List<String> deactivatedNames = names(kmip, deactivated);
            assertTrue(deactivatedNames.contains("Deactivation Date"));
            assertTrue(!deactivatedNames.contains("Compromise Date"));
            assertEquals(value(kmip, unstated, "Initial Date").asDateTime(),
                    value(kmip, unstated, "Compromise Occurrence Date").asDateTime());
        }
    }

    private static List<String> names(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(uid)).all(Tag.ATTRIBUTE_NAME).stream()
                .map(Ttlv::asText).toList();
    }

    private static Ttlv value(Kmip kmip, String uid, String name) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.text(Tag.ATTRIBUTE_NAME, name))
                .require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE);
    }

    private static Ttlv custom(String name, String value) {
        return Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, name), Ttlv.text(Tag.ATTRIBUTE_VALUE, value));
    }

    private static String createAes(Kmip kmip) throws Exception {
        return kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT), Kmip.name("ordered")))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }
}
