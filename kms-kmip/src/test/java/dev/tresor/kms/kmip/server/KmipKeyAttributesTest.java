package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attributes the server derives or sets for a key, over real TLS against a real core. */
class KmipKeyAttributesTest {
    private static final int AES = 0x03;
    private static final int RSA = 0x04;
    private static final int EC = 0x1A;
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int RAW = 0x01;
    private static final int PKCS_1 = 0x03;
    private static final int PKCS_8 = 0x04;
    private static final int X_509 = 0x05;
    /** The core's generator as KMIP RNG Parameters: a Hash_DRBG over SHA-256, strength 256, no prediction resistance. */
    private static final Ttlv TRESOR_DRBG = Ttlv.structure(Tag.RANDOM_NUMBER_GENERATOR,
            Ttlv.enumeration(Tag.RNG_ALGORITHM, 0x03),
            Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
            Ttlv.enumeration(Tag.HASHING_ALGORITHM, 0x06),
            Ttlv.enumeration(Tag.DRBG_ALGORITHM, 0x03),
            Ttlv.bool(Tag.PREDICTION_RESISTANCE, false));

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void everyKeyTheServerGeneratesNamesTheDrbgThatMadeIt() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String aes = kmip.createAes256();
            Ttlv pair = createPair(kmip, EC, 256);
            kmip.ok(Operation.ACTIVATE, Kmip.uid(aes));
            String replacement = kmip.ok(Operation.REKEY, Kmip.uid(aes)).require(Tag.UNIQUE_IDENTIFIER).asText();
            for (String uid : List.of(aes, pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText(),
                    pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText(), replacement)) {
                assertEquals(Optional.of(TRESOR_DRBG), attribute(kmip, uid, Tag.RANDOM_NUMBER_GENERATOR), uid);
            }
        }
    }

    @Test
    void aRegisteredKeyHasNoGeneratorAndNoClientMaySetOne() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv claimed = Ttlv.structure(Tag.RANDOM_NUMBER_GENERATOR, Ttlv.enumeration(Tag.RNG_ALGORITHM, 0x05));
            String uid = kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY),
                    kmip.attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT), claimed),
                    Ttlv.structure(Tag.SYMMETRIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                            Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, RAW),
                            Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(new byte[16]))),
                            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                            Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128))))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(Optional.empty(), attribute(kmip, uid, Tag.RANDOM_NUMBER_GENERATOR));
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.SET_ATTRIBUTE, Kmip.uid(uid),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, claimed)));
            String generated = kmip.createAes256();
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.SET_ATTRIBUTE,
                    Kmip.uid(generated), Ttlv.structure(Tag.NEW_ATTRIBUTE, claimed)));
            assertEquals(Optional.of(TRESOR_DRBG), attribute(kmip, generated, Tag.RANDOM_NUMBER_GENERATOR));
        }
    }

    @Test
    void oneXClientsSeeTheGeneratorFromOneThreeOn() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            String uid = new Kmip(client, ProtocolVersion.V2_1).createAes256();
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_2, ProtocolVersion.V1_3, ProtocolVersion.V1_4)) {
                Optional<Ttlv> value = new Kmip(client, version).namedAttribute(uid, "Random Number Generator");
                assertEquals(version.atLeast(ProtocolVersion.V1_3), value.isPresent(), version.toString());
                value.ifPresent(v -> assertEquals(TRESOR_DRBG.items(), v.items()));
            }
        }
    }

    @Test
    void theKeyFormatTypeIsTheFormatTheDigestIsTakenOverAndOnlyTwoXKnowsIt() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String aes = kmip.createAes256();
            Ttlv rsa = createPair(kmip, RSA, 2048);
            Ttlv ec = createPair(kmip, EC, 256);
            assertEquals(RAW, keyFormat(kmip, aes));
            assertEquals(PKCS_1, keyFormat(kmip, rsa.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText()));
            assertEquals(PKCS_1, keyFormat(kmip, rsa.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText()));
            assertEquals(PKCS_8, keyFormat(kmip, ec.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText()));
            assertEquals(X_509, keyFormat(kmip, ec.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText()));

            Ttlv oneX = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(aes));
            assertTrue(oneX.all(Tag.ATTRIBUTE_NAME).stream().noneMatch(n -> n.asText().equals("Key Format Type")));
            assertTrue(oneX.all(Tag.ATTRIBUTE_NAME).stream().anyMatch(n -> n.asText().equals("Random Number Generator")));
        }
    }

    @Test
    void sensitiveAndExtractableFollowTheCoresExportRuleAndAreFixedAtCreation() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String sensitive = kmip.createAes256(Ttlv.bool(Tag.SENSITIVE, true));
            assertEquals(List.of(true, true, false, true), exposure(kmip, sensitive));
            kmip.ok(Operation.ACTIVATE, Kmip.uid(sensitive));
            assertEquals(ResultReason.PERMISSION_DENIED.code(), kmip.refused(Operation.GET, Kmip.uid(sensitive)));
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.SET_ATTRIBUTE,
                    Kmip.uid(sensitive), Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.bool(Tag.SENSITIVE, false))));

            String open = kmip.createAes256(Ttlv.bool(Tag.SENSITIVE, false));
            assertEquals(List.of(false, false, true, false), exposure(kmip, open));
            kmip.ok(Operation.ACTIVATE, Kmip.uid(open));
            kmip.ok(Operation.GET, Kmip.uid(open));

            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.CREATE,
                    Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                            Ttlv.bool(Tag.SENSITIVE, true), Ttlv.bool(Tag.EXTRACTABLE, true))));
            Ttlv oneTwo = new Kmip(client, ProtocolVersion.V1_2).ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(open));
            assertTrue(oneTwo.all(Tag.ATTRIBUTE_NAME).stream().noneMatch(n -> n.asText().contains("Sensitive")),
                    "Sensitive and its kin came with 1.4");
        }
    }

    @Test
    void aSensitivePublicKeyIsNeverHandedOut() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        Bytes spki = Bytes.wrap(generator.generateKeyPair().getPublic().getEncoded());
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv publicKey = Ttlv.structure(Tag.PUBLIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                    Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, X_509), Ttlv.structure(Tag.KEY_VALUE,
                            Ttlv.bytes(Tag.KEY_MATERIAL, spki)),
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, EC), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256)));
            String sensitive = kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x03),
                    kmip.attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x02), Ttlv.bool(Tag.SENSITIVE, true)),
                    publicKey).require(Tag.UNIQUE_IDENTIFIER).asText();
            Ttlv refused = kmip.item(Operation.GET, Kmip.uid(sensitive));
            assertEquals(ResultReason.SENSITIVE.code(), Requests.reason(refused));
            assertEquals(List.of(true, true, false, true), exposure(kmip, sensitive));
            String plain = kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x03),
                    kmip.attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x02)), publicKey)
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(spki, kmip.ok(Operation.GET, Kmip.uid(plain)).require(Tag.PUBLIC_KEY).require(Tag.KEY_BLOCK)
                    .require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes());
            assertEquals(List.of(false, false, true, false), exposure(kmip, plain));
        }
    }

    /** Sensitive, Always Sensitive, Extractable, Never Extractable of an object. */
    private static List<Boolean> exposure(Kmip kmip, String uid) throws Exception {
        List<Boolean> values = new java.util.ArrayList<>();
        for (Tag tag : List.of(Tag.SENSITIVE, Tag.ALWAYS_SENSITIVE, Tag.EXTRACTABLE, Tag.NEVER_EXTRACTABLE)) {
            values.add(attribute(kmip, uid, tag).orElseThrow().asBoolean());
        }
        return values;
    }

    private static Ttlv createPair(Kmip kmip, int algorithm, int length) throws Exception {
        return kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, algorithm), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, length)));
    }

    private static int keyFormat(Kmip kmip, String uid) throws Exception {
        return attribute(kmip, uid, Tag.KEY_FORMAT_TYPE).orElseThrow().asEnum();
    }

    /** One attribute of a 2.x Get Attributes answer, if the object has it. */
    private static Optional<Ttlv> attribute(Kmip kmip, String uid, Tag tag) throws Exception {
        return kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE, tag.code()))
                .require(Tag.ATTRIBUTES).find(tag);
    }
}
