package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.tenant.Role;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rules of the Baseline Server profile (KMIP 2.1 BL-M files) over real TLS against a real core. */
class KmipBaselineRulesTest {
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int SECRET_DATA = 0x07;
    private static final int AES = 0x03;
    private static final int RAW = 0x01;
    private static final int TRANSPARENT_SYMMETRIC_KEY = 0x07;
    private static final int DECRYPT = 0x08;
    private static final int ENCRYPT = 0x04;
    private static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static String registerTransparent(Kmip kmip, Ttlv... attributes) throws Exception {
        return kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(attributes),
                Ttlv.structure(Tag.SYMMETRIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                        Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, TRANSPARENT_SYMMETRIC_KEY),
                        Ttlv.structure(Tag.KEY_VALUE, Ttlv.structure(Tag.KEY_MATERIAL, Ttlv.bytes(Tag.KEY, Bytes.wrap(KEY)))),
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128))))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    @Test
    void getAnswersAKeyInTheFormatItWasRegisteredInUnlessAskedForAnother() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = registerTransparent(kmip, Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, DECRYPT));
            Ttlv block = kmip.ok(Operation.GET, Kmip.uid(uid)).require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK);
            assertEquals(TRANSPARENT_SYMMETRIC_KEY, block.require(Tag.KEY_FORMAT_TYPE).asEnum());
            assertArrayEquals(KEY, block.require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).require(Tag.KEY).asBytes().toArray());
            assertEquals(TRANSPARENT_SYMMETRIC_KEY, kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid),
                    Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE, Tag.KEY_FORMAT_TYPE.code()))
                    .require(Tag.ATTRIBUTES).require(Tag.KEY_FORMAT_TYPE).asEnum());
            Ttlv raw = kmip.ok(Operation.GET, Kmip.uid(uid), Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, RAW))
                    .require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK);
            assertArrayEquals(KEY, raw.require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes().toArray());
        }
    }

    @Test
    void checkOfAUsageTheMaskDoesNotGrantIsAnIncompatibleUsageMask() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip two = new Kmip(client, ProtocolVersion.V2_1);
            String uid = registerTransparent(two, Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, DECRYPT),
                    Ttlv.dateTime(Tag.ACTIVATION_DATE, Instant.parse("2000-01-31T14:00:00Z")));
            two.ok(Operation.CHECK, Kmip.uid(uid), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, DECRYPT));
            assertEquals(ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK.code(), two.refused(Operation.CHECK,
                    Kmip.uid(uid), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT)));
            assertEquals(ResultReason.PERMISSION_DENIED.code(), new Kmip(client, ProtocolVersion.V1_4).refused(
                    Operation.CHECK, Kmip.uid(uid), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT)));
        }
    }

    @Test
    void twoDatesOfOneAttributeLocateTheObjectsBetweenThem() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Instant february = Instant.parse("2000-02-01T00:00:00Z");
            String inside = registerSecret(kmip, february);
            registerSecret(kmip, Instant.parse("2000-03-01T00:00:00Z"));
            assertEquals(List.of(inside), located(kmip, Instant.parse("2000-01-01T00:00:00Z"),
                    Instant.parse("2000-02-10T00:00:00Z")));
            assertEquals(List.of(inside), located(kmip, Instant.parse("2000-02-10T00:00:00Z"),
                    Instant.parse("2000-01-01T00:00:00Z")), "either order");
            assertEquals(List.of(inside), located(kmip, february, february), "both ends included");
            assertEquals(List.of(), located(kmip, Instant.parse("2000-04-01T00:00:00Z"),
                    Instant.parse("2000-05-01T00:00:00Z")));
        }
    }

    @Test
    void anObjectCannotBeGivenTheSameNameTwice() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            for (ProtocolVersion version : List.of(ProtocolVersion.V2_1, ProtocolVersion.V1_4)) {
                Kmip kmip = new Kmip(client, version);
                String uid = registerTransparent(kmip, Kmip.name("twice-" + version));
                assertEquals(version.isTwoOrLater() ? ResultReason.NON_UNIQUE_NAME_ATTRIBUTE.code()
                        : ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.ADD_ATTRIBUTE, Kmip.uid(uid),
                        newName(version, "twice-" + version)));
                kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), newName(version, "alias-" + version));
            }
        }
    }

    @Test
    void aTransparentRsaPrivateKeyIsRegisteredAndSignsUnderThePolicysSizes() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair pair = generator.generateKeyPair();
        java.security.interfaces.RSAPrivateCrtKey key = (java.security.interfaces.RSAPrivateCrtKey) pair.getPrivate();
        List<Ttlv> fields = transparent(key);
        byte[] message = "sign me".getBytes(StandardCharsets.US_ASCII);
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = registerRsa(kmip, fields);
            kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            byte[] signature = kmip.ok(Operation.SIGN, Kmip.uid(uid), Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS,
                    Ttlv.enumeration(Tag.DIGITAL_SIGNATURE_ALGORITHM, 0x05)), Ttlv.bytes(Tag.DATA, Bytes.wrap(message)))
                    .require(Tag.SIGNATURE_DATA).asBytes().toArray();
            java.security.Signature verifier = java.security.Signature.getInstance("SHA256withRSA");
            verifier.initVerify(pair.getPublic());
            verifier.update(message);
            assertEquals(true, verifier.verify(signature), "PKCS#1 v1.5 SHA-256 under the registered key");

            Ttlv missing = kmip.item(Operation.REGISTER, registration(kmip, fields.subList(0, 7)));
            assertEquals(ResultReason.INVALID_FIELD.code(), Requests.reason(missing));
            assertEquals("a Transparent RSA Private Key needs CRTCoefficient", missing.require(Tag.RESULT_MESSAGE).asText());

            generator.initialize(1024);
            java.security.interfaces.RSAPrivateCrtKey small =
                    (java.security.interfaces.RSAPrivateCrtKey) generator.generateKeyPair().getPrivate();
            Ttlv refused = kmip.item(Operation.REGISTER, registration(kmip, transparent(small)));
            assertEquals("RSA keys are 2048, 3072 or 4096 bits, not 1024", refused.require(Tag.RESULT_MESSAGE).asText(),
                    "the policy's sizes hold for every format");
        }
    }

    private static List<Ttlv> transparent(java.security.interfaces.RSAPrivateCrtKey key) {
        return List.of(Ttlv.bigInteger(Tag.MODULUS, key.getModulus()),
                Ttlv.bigInteger(Tag.PRIVATE_EXPONENT, key.getPrivateExponent()),
                Ttlv.bigInteger(Tag.PUBLIC_EXPONENT, key.getPublicExponent()), Ttlv.bigInteger(Tag.P, key.getPrimeP()),
                Ttlv.bigInteger(Tag.Q, key.getPrimeQ()), Ttlv.bigInteger(Tag.PRIME_EXPONENT_P, key.getPrimeExponentP()),
                Ttlv.bigInteger(Tag.PRIME_EXPONENT_Q, key.getPrimeExponentQ()),
                Ttlv.bigInteger(Tag.CRT_COEFFICIENT, key.getCrtCoefficient()));
    }

    private static String registerRsa(Kmip kmip, List<Ttlv> fields) throws Exception {
        return kmip.ok(Operation.REGISTER, registration(kmip, fields)).require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    private static Ttlv[] registration(Kmip kmip, List<Ttlv> fields) {
        return new Ttlv[] {Ttlv.enumeration(Tag.OBJECT_TYPE, 0x04),
                kmip.attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x01)),
                Ttlv.structure(Tag.PRIVATE_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                        Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 0x0A),
                        Ttlv.structure(Tag.KEY_VALUE, Ttlv.structure(Tag.KEY_MATERIAL, fields)),
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x04), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048)))};
    }

    /** A Name to add: 2.x New Attribute, 1.x Attribute{Name, Value}. */
    private static Ttlv newName(ProtocolVersion version, String name) {
        Ttlv tagged = Kmip.name(name);
        return version.isTwoOrLater() ? Ttlv.structure(Tag.NEW_ATTRIBUTE, tagged)
                : Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, "Name"),
                        new Ttlv(Tag.ATTRIBUTE_VALUE.code(), tagged.type(), tagged.value()));
    }

    private static String registerSecret(Kmip kmip, Instant protectStop) throws Exception {
        return kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, SECRET_DATA),
                kmip.attributes(Ttlv.dateTime(Tag.PROTECT_STOP_DATE, protectStop)),
                Ttlv.structure(Tag.SECRET_DATA, Ttlv.enumeration(Tag.SECRET_DATA_TYPE, 1),
                        Ttlv.structure(Tag.KEY_BLOCK, Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, RAW), Ttlv.structure(
                                Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.wrap(KEY))))))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    private static List<String> located(Kmip kmip, Instant first, Instant second) throws Exception {
        return kmip.ok(Operation.LOCATE, Ttlv.structure(Tag.ATTRIBUTES,
                Ttlv.enumeration(Tag.OBJECT_TYPE, SECRET_DATA),
                Ttlv.dateTime(Tag.PROTECT_STOP_DATE, first), Ttlv.dateTime(Tag.PROTECT_STOP_DATE, second)))
                .all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList();
    }
}
