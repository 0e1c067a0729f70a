package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.WrappingAlgorithm;
import dev.tresor.kms.key.WrappingKey;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateWrappingKey;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** 2.x vendor attributes keep their Vendor Identification, over real TLS against a real core. */
class KmipVendorAttributesTest {
    private static final int PRIVATE_KEY = 0x04;
    private static final int PKCS_8 = 0x04;
    private static final int EC = 0x1A;
    private static final int SIGN = 0x01;
    private static final int CESSATION_OF_OPERATION = 6;

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
            List<String> locatedGenerated = locateGenerated(kmip, true);
            List<String> locatedNotGenerated = locateGenerated(kmip, false);
            assertTrue(locatedGenerated.containsAll(List.of(created, rotated)) && !locatedGenerated.contains(registered),
                    "Locate of the generated keys: " + locatedGenerated);
            assertTrue(locatedNotGenerated.contains(registered) && !locatedNotGenerated.contains(created)
                    && !locatedNotGenerated.contains(rotated), "Locate of the registered keys: " + locatedNotGenerated);
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.ADD_ATTRIBUTE,
                    Kmip.uid(registered), Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.structure(Tag.ATTRIBUTE,
                            Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"), Ttlv.text(Tag.ATTRIBUTE_NAME, "tresor-generated"),
                            Ttlv.bool(Tag.ATTRIBUTE_VALUE, true)))));
        }
    }

    @Test
    void bothHalvesOfACreatedPairAreGeneratedAndARegisteredPrivateKeyIsNot() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv pair = kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, EC), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256)));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            String registered = kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, PRIVATE_KEY),
                    kmip.attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, SIGN)),
                    Ttlv.structure(Tag.PRIVATE_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                            Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, PKCS_8), Ttlv.structure(Tag.KEY_VALUE,
                                    Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(generator.generateKeyPair().getPrivate()
                                            .getEncoded()))),
                            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, EC), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256))))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();

            assertEquals(true, generated(kmip, pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText()), "private");
            assertEquals(true, generated(kmip, pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText()), "public");
            assertEquals(false, generated(kmip, registered), "registered private key");
        }
    }

    /** A Revoke and a Destroy rewrite the version: it stays generated. */
    @Test
    void aCreatedKeyStaysGeneratedWhenRevokedAndWhenDestroyed() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String created = kmip.createAes256();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(created));

            kmip.ok(Operation.REVOKE, Kmip.uid(created), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, CESSATION_OF_OPERATION)));
            assertEquals(true, generated(kmip, created), "revoked");
            kmip.ok(Operation.DESTROY, Kmip.uid(created));
            assertEquals(true, generated(kmip, created), "destroyed");
        }
    }

    private static List<String> locateGenerated(Kmip kmip, boolean generated) throws Exception {
        return kmip.ok(Operation.LOCATE, Ttlv.structure(Tag.ATTRIBUTES, Ttlv.structure(Tag.ATTRIBUTE,
                        Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"), Ttlv.text(Tag.ATTRIBUTE_NAME, "tresor-generated"),
                        Ttlv.bool(Tag.ATTRIBUTE_VALUE, generated))))
                .all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList();
    }

    @Test
    void aVersionAClientImportedOverRestIntoAKeyKmipCreatedIsNotGenerated() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        Caller admin = TestCore.caller(server.tenant, Role.ADMIN);
        KeyManagement kms = server.core.core().keyManagement();
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String created = kmip.createAes256();
            String ring = kms.getKey(admin, KeyRef.byId(created)).keyRingId();
            WrappingKey wrapping = kms.createWrappingKey(admin, new CreateWrappingKey(ring, "byok", Optional.empty(),
                    WrappingAlgorithm.RSA_2048_OAEP_SHA256, WrappingKey.Purpose.WRAP_SYMMETRIC_KEY, "software",
                    Key.AccessScope.PUBLIC));
            long imported = kms.importKey(admin, KeyRef.byId(created), wrapping.id(),
                    Bytes.of(oaepSha256(wrapping.publicKeyPem(), new byte[32]))).number();
            assertEquals(2, imported);
            assertEquals(ResultReason.OBJECT_NOT_FOUND.code(), kmip.refused(Operation.GET_ATTRIBUTES,
                    Kmip.uid(created + ".2")), "today only KMIP calls give a version a KMIP object");
            // Give version 2 the KMIP record version 1 has, as any later path that lists
            // REST-added versions over KMIP would: its answer must come from the version's origin.
            Map<String, String> before = kms.getKey(admin, KeyRef.byId(created)).attributes();
            Map<String, String> withObject = new HashMap<>(before);
            before.forEach((name, value) -> {
                if (name.startsWith("kmip/1/")) {
                    withObject.put("kmip/2/" + name.substring("kmip/1/".length()), value);
                }
            });
            kms.replaceAttributes(admin, KeyRef.byId(created), before, withObject);
            String rotated = kmip.ok(Operation.REKEY, Kmip.uid(created)).require(Tag.UNIQUE_IDENTIFIER).asText();

            assertEquals(true, generated(kmip, created), "version 1, made by Create");
            assertEquals(false, generated(kmip, created + ".2"), "version 2, material a client chose");
            assertEquals(created + ".3", rotated);
            assertEquals(true, generated(kmip, rotated), "version 3, made by ReKey");
        }
    }

    @Test
    void aRegisterTemplateCannotClaimGeneratedAndNoListingShowsIt() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String registered = kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02),
                    kmip.attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C),
                            Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"),
                                    Ttlv.text(Tag.ATTRIBUTE_NAME, "tresor-generated"),
                                    Ttlv.bool(Tag.ATTRIBUTE_VALUE, true))),
                    Ttlv.structure(Tag.SYMMETRIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                            Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 1),
                            Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[32]))),
                            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03),
                            Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256))))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(false, generated(kmip, registered), "a template's claim is dropped");

            String created = kmip.createAes256();
            Ttlv all = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(created)).require(Tag.ATTRIBUTES);
            assertTrue(all.items().stream().noneMatch(KmipVendorAttributesTest::namesGenerated), "Get Attributes, all");
            List<Ttlv> listed = kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(created)).all(Tag.ATTRIBUTE_REFERENCE);
            assertTrue(listed.stream().noneMatch(KmipVendorAttributesTest::namesGenerated), "Get Attribute List");
            assertEquals(true, generated(kmip, created), "yet answered when named");
        }
    }

    private static boolean namesGenerated(Ttlv item) {
        return item.type() == ItemType.STRUCTURE && item.items().stream()
                .anyMatch(field -> field.is(Tag.ATTRIBUTE_NAME) && field.asText().endsWith("tresor-generated"));
    }

    private static byte[] oaepSha256(String publicKeyPem, byte[] material) throws Exception {
        String base64 = publicKeyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PublicKey rsa = KeyFactory.getInstance("RSA").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.ENCRYPT_MODE, rsa, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                PSource.PSpecified.DEFAULT));
        return oaep.doFinal(material);
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
