package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protection Storage Mask (2.x): Software on a key Tresor generated, none on a registered one, and
 * a Create that allows no software storage is refused, over real TLS against a real core.
 */
class KmipProtectionStorageTest {
    private static final int SOFTWARE = 0x01;
    private static final int HARDWARE = 0x02;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void aGeneratedKeyIsKeptInSoftwareAndARegisteredOneSaysNothing() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String created = kmip.createAes256();
            byte[] material = new byte[32];
            new SecureRandom().nextBytes(material);
            String registered = kmip.registerActiveKey(LOOPBACK.server().core.clock().instant(), 0x03, 256, 0x0C,
                    Bytes.wrap(material));

            assertEquals(Optional.of(SOFTWARE), storageMask(kmip, created));
            assertEquals(Optional.empty(), storageMask(kmip, registered));
            kmip.ok(Operation.ACTIVATE, Kmip.uid(created));
            String rekeyed = kmip.ok(Operation.REKEY, Kmip.uid(created)).require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(Optional.of(SOFTWARE), storageMask(kmip, rekeyed));
            assertTrue(new Kmip(client, ProtocolVersion.V1_4).ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(created))
                    .all(Tag.ATTRIBUTE_NAME).stream().noneMatch(n -> n.asText().equals("Protection Storage Mask")),
                    "a 2.x attribute");
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.SET_ATTRIBUTE, Kmip.uid(created),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.integer(Tag.PROTECTION_STORAGE_MASK, HARDWARE))));
        }
    }

    @Test
    void aCreateThatAllowsNoSoftwareStorageIsRefused() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv attributes = kmip.attributes(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C));
            Ttlv symmetric = Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02);

            assertEquals(ResultReason.PROTECTION_STORAGE_UNAVAILABLE.code(), kmip.refused(Operation.CREATE, symmetric,
                    attributes, masks(HARDWARE)));
            String either = kmip.ok(Operation.CREATE, symmetric, attributes, masks(HARDWARE, HARDWARE | SOFTWARE))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(Optional.of(SOFTWARE), storageMask(kmip, either));
        }
    }

    private static Ttlv masks(int... acceptable) {
        return Ttlv.structure(Tag.PROTECTION_STORAGE_MASKS, java.util.Arrays.stream(acceptable)
                .mapToObj(mask -> Ttlv.integer(Tag.PROTECTION_STORAGE_MASK, mask)).toList());
    }

    private static Optional<Integer> storageMask(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE,
                Tag.PROTECTION_STORAGE_MASK.code())).require(Tag.ATTRIBUTES).find(Tag.PROTECTION_STORAGE_MASK)
                .map(Ttlv::asInt);
    }
}
