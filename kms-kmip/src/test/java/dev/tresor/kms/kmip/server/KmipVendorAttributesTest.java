package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** 2.x vendor attributes keep their Vendor Identification, over real TLS against a real core. */
class KmipVendorAttributesTest {
    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void aClientsVendorAttributeIsAnsweredWithItsVendorIdentification() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = kmip.createAes256();
            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(key),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, vendor("x", "Barcode", "XXA012A1")));

            Ttlv named = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(key), Ttlv.structure(Tag.ATTRIBUTE_REFERENCE,
                    Ttlv.text(Tag.VENDOR_IDENTIFICATION, "x"), Ttlv.text(Tag.ATTRIBUTE_NAME, "Barcode")));
            assertEquals(List.of(vendor("x", "Barcode", "XXA012A1")), named.require(Tag.ATTRIBUTES).items());
            Ttlv listed = kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(key)).all(Tag.ATTRIBUTE_REFERENCE).stream()
                    .filter(r -> r.type() == ItemType.STRUCTURE).findFirst().orElseThrow();
            assertEquals(List.of(Ttlv.text(Tag.VENDOR_IDENTIFICATION, "x"), Ttlv.text(Tag.ATTRIBUTE_NAME, "Barcode")),
                    listed.items());
            Ttlv oneX = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.GET_ATTRIBUTES, Kmip.uid(key),
                    Ttlv.text(Tag.ATTRIBUTE_NAME, "Barcode"));
            assertEquals("XXA012A1", oneX.require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE).asText());
        }
    }

    @Test
    void tresorsOwnAttributesKeepTheirNamesUnderVendorYAndAreAnsweredOnlyWhenNamed() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = kmip.createAes256();
            List<Ttlv> listed = kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(key)).all(Tag.ATTRIBUTE_REFERENCE)
                    .stream().filter(r -> r.type() == ItemType.STRUCTURE).toList();
            assertTrue(listed.stream().noneMatch(r -> r.require(Tag.ATTRIBUTE_NAME).asText().startsWith("y-")), "listed");
            for (String asked : List.of("y-tresor-version", "tresor-version")) {
                Ttlv named = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(key), Ttlv.structure(Tag.ATTRIBUTE_REFERENCE,
                        Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"), Ttlv.text(Tag.ATTRIBUTE_NAME, asked)));
                assertEquals(List.of(Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"),
                        Ttlv.text(Tag.ATTRIBUTE_NAME, "y-tresor-version"), Ttlv.integer(Tag.ATTRIBUTE_VALUE, 1))),
                        named.require(Tag.ATTRIBUTES).items(), asked);
            }
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.ADD_ATTRIBUTE, Kmip.uid(key),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, vendor("y", "tresor-version", "7"))));
        }
    }

    @Test
    void onlyAKeyTresorGeneratedSaysSo() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String created = kmip.createAes256();
            String rotated = kmip.ok(Operation.REKEY, Kmip.uid(created)).require(Tag.UNIQUE_IDENTIFIER).asText();
            String registered = kmip.registerActiveKey(LOOPBACK.server().core.clock().instant(), 0x03, 256, 0x0C,
                    Bytes.of("a 32-byte AES key, registered.  ".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(true, generated(kmip, created), "Create");
            assertEquals(true, generated(kmip, rotated), "ReKey");
            assertEquals(false, generated(kmip, registered), "Register");
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.ADD_ATTRIBUTE,
                    Kmip.uid(registered), Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.structure(Tag.ATTRIBUTE,
                            Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"), Ttlv.text(Tag.ATTRIBUTE_NAME, "tresor-generated"),
                            Ttlv.bool(Tag.ATTRIBUTE_VALUE, true)))));
        }
    }

    private static boolean generated(Kmip kmip, String uid) throws Exception {
        Ttlv named = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.structure(Tag.ATTRIBUTE_REFERENCE,
                Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"), Ttlv.text(Tag.ATTRIBUTE_NAME, "y-tresor-generated")));
        return named.require(Tag.ATTRIBUTES).require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE).asBoolean();
    }

    @Test
    void anotherVendorsAttributeIsRefused() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = kmip.createAes256();
            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.ADD_ATTRIBUTE, Kmip.uid(key),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, vendor("acme", "Barcode", "XXA012A1"))));
        }
    }

    private static Ttlv vendor(String vendor, String name, String value) {
        return Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.VENDOR_IDENTIFICATION, vendor),
                Ttlv.text(Tag.ATTRIBUTE_NAME, name), Ttlv.text(Tag.ATTRIBUTE_VALUE, value));
    }
}
