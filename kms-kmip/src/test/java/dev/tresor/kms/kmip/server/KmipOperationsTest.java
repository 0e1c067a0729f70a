package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every offered operation end to end: real TLS, real core on RocksDB, results checked against the JDK. */
class KmipOperationsTest {
    private static final int AES = 0x03;
    private static final int RSA = 0x04;
    private static final int EC = 0x1A;
    private static final int HMAC_SHA256 = 0x09;
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final byte[] PLAINTEXT = "sixteen byte msg".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static java.time.Instant now() {
        return LOOPBACK.server().core.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    private static String createAes(Kmip kmip, String name) throws Exception {
        return kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT), Kmip.name(name)))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    /** The fields of a Register of {@code key} as an AES-128 key with {@code mask}, Active at once. */
    private static Ttlv[] registerActiveAes(Kmip kmip, byte[] key, int mask) {
        return new Ttlv[] {Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY),
                kmip.attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, mask), Ttlv.enumeration(Tag.STATE, 1),
                        Ttlv.dateTime(Tag.ACTIVATION_DATE, now().minusSeconds(5))),
                Ttlv.structure(Tag.SYMMETRIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                        Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 1),
                        Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(key))),
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128)))};
    }

    private static int state(Kmip kmip, ProtocolVersion version, String uid) throws Exception {
        Ttlv payload = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), version.isTwoOrLater()
                ? Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE, Tag.STATE.code()) : Ttlv.text(Tag.ATTRIBUTE_NAME, "State"));
        return version.isTwoOrLater() ? payload.require(Tag.ATTRIBUTES).require(Tag.STATE).asEnum()
                : payload.require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE).asEnum();
    }

    @Test
    void symmetricKeyLifecycleInOneAndTwo() throws Exception {
        for (ProtocolVersion version : List.of(ProtocolVersion.V1_4, ProtocolVersion.V2_1)) {
            try (KmipTestClient client = LOOPBACK.server().client()) {
                Kmip kmip = new Kmip(client, version);
                String uid = createAes(kmip, "lifecycle-" + version);
                assertEquals(1, state(kmip, version, uid), "Pre-Active");
                int preActive = kmip.refused(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)));
                assertEquals(version.isTwoOrLater() ? ResultReason.WRONG_KEY_LIFECYCLE_STATE.code()
                        : ResultReason.PERMISSION_DENIED.code(), preActive);
                kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
                assertEquals(2, state(kmip, version, uid), "Active");
                assertEquals(List.of(uid), kmip.ok(Operation.LOCATE, version.isTwoOrLater()
                        ? Ttlv.structure(Tag.ATTRIBUTES, Kmip.name("lifecycle-" + version))
                        : Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, "Name"),
                                new Ttlv(Tag.ATTRIBUTE_VALUE.code(), Kmip.name("lifecycle-" + version).type(),
                                        Kmip.name("lifecycle-" + version).value())))
                        .all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList());
                int activeDestroy = kmip.refused(Operation.DESTROY, Kmip.uid(uid));
                assertNotEquals(0, activeDestroy);
                kmip.ok(Operation.REVOKE, Kmip.uid(uid), Ttlv.structure(Tag.REVOCATION_REASON,
                        Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, 6)));
                assertEquals(3, state(kmip, version, uid), "Deactivated");
                kmip.refused(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)));
                kmip.ok(Operation.DESTROY, Kmip.uid(uid));
                assertEquals(5, state(kmip, version, uid), "Destroyed");
                kmip.refused(Operation.GET, Kmip.uid(uid));
            }
        }
    }

    @Test
    void gcmPutsTheTagInItsFieldFromOneFourAndAppendsItBefore() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_2, ProtocolVersion.V1_4)) {
                Kmip kmip = new Kmip(client, version);
                String uid = createAes(kmip, "gcm-" + version);
                kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
                Ttlv encrypted = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)));
                Bytes iv = encrypted.require(Tag.IV_COUNTER_NONCE).asBytes();
                assertEquals(12, iv.length());
                Bytes data = encrypted.require(Tag.DATA).asBytes();
                boolean tagField = version.atLeast(ProtocolVersion.V1_4);
                assertEquals(tagField, encrypted.find(Tag.AUTHENTICATED_ENCRYPTION_TAG).isPresent());
                assertEquals(PLAINTEXT.length + (tagField ? 0 : 16), data.length());

                Ttlv[] decrypt = tagField
                        ? new Ttlv[] {Kmip.uid(uid), Ttlv.bytes(Tag.DATA, data), Ttlv.bytes(Tag.IV_COUNTER_NONCE, iv),
                                encrypted.require(Tag.AUTHENTICATED_ENCRYPTION_TAG)}
                        : new Ttlv[] {Kmip.uid(uid), Ttlv.bytes(Tag.DATA, data), Ttlv.bytes(Tag.IV_COUNTER_NONCE, iv)};
                assertArrayEquals(PLAINTEXT, kmip.ok(Operation.DECRYPT, decrypt).require(Tag.DATA).asBytes().toArray());

                byte[] tampered = data.toArray();
                tampered[0] ^= 1;
                decrypt[1] = Ttlv.bytes(Tag.DATA, Bytes.of(tampered));
                assertEquals(ResultReason.CRYPTOGRAPHIC_FAILURE.code(), kmip.refused(Operation.DECRYPT, decrypt));
            }
        }
    }

    @Test
    void aRegisteredKeyEncryptsAsTheJdkDoesAndGetReturnsIt() throws Exception {
        byte[] key = new byte[16];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        byte[] iv = new byte[16];
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_2);
            String uid = kmip.ok(Operation.REGISTER, registerActiveAes(kmip, key, ENCRYPT_DECRYPT))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            Ttlv cbc = Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, 1),
                    Ttlv.enumeration(Tag.PADDING_METHOD, 3));
            Bytes ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), cbc, Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)),
                    Ttlv.bytes(Tag.IV_COUNTER_NONCE, Bytes.of(iv))).require(Tag.DATA).asBytes();
            Cipher jdk = Cipher.getInstance("AES/CBC/PKCS5Padding");
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            assertArrayEquals(jdk.doFinal(PLAINTEXT), ciphertext.toArray());
            Ttlv got = kmip.ok(Operation.GET, Kmip.uid(uid));
            assertArrayEquals(key, got.require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK).require(Tag.KEY_VALUE)
                    .require(Tag.KEY_MATERIAL).asBytes().toArray());
        }
    }

    @Test
    void theIdPlaceholderCarriesACreatedKeyThroughTheBatch() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            List<Ttlv> items = kmip.batch(
                    Requests.item(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                            Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128),
                            Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT))),
                    Requests.item(Operation.ACTIVATE),
                    Requests.item(Operation.ENCRYPT, Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT))));
            assertEquals(3, items.size());
            String uid = items.get(0).require(Tag.RESPONSE_PAYLOAD).require(Tag.UNIQUE_IDENTIFIER).asText();
            for (Ttlv item : items) {
                assertEquals(0, Requests.status(item));
            }
            assertEquals(uid, items.get(2).require(Tag.RESPONSE_PAYLOAD).require(Tag.UNIQUE_IDENTIFIER).asText());
        }
    }

    @Test
    void rsaAndEcKeyPairsSignAndTheJdkVerifies() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            for (int algorithm : new int[] {RSA, EC}) {
                Ttlv pair = kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, algorithm),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, algorithm == RSA ? 2048 : 256),
                        Ttlv.enumeration(Tag.STATE, 1)));
                String privateKey = pair.require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();
                String publicKey = pair.require(Tag.PUBLIC_KEY_UNIQUE_IDENTIFIER).asText();
                kmip.ok(Operation.ACTIVATE, Kmip.uid(privateKey));
                kmip.ok(Operation.ACTIVATE, Kmip.uid(publicKey));
                Ttlv params = algorithm == RSA
                        ? Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.PADDING_METHOD, 0x0A),
                                Ttlv.enumeration(Tag.HASHING_ALGORITHM, 0x06))
                        : Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.DIGITAL_SIGNATURE_ALGORITHM, 0x0E));
                Bytes signature = kmip.ok(Operation.SIGN, Kmip.uid(privateKey), params,
                        Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT))).require(Tag.SIGNATURE_DATA).asBytes();
                byte[] spki = kmip.ok(Operation.GET, Kmip.uid(publicKey)).require(Tag.PUBLIC_KEY).require(Tag.KEY_BLOCK)
                        .require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes().toArray();
                PublicKey jdkKey = KeyFactory.getInstance(algorithm == RSA ? "RSA" : "EC")
                        .generatePublic(new X509EncodedKeySpec(spki));
                Signature verifier = Signature.getInstance(algorithm == RSA ? "RSASSA-PSS" : "SHA256withECDSA");
                if (algorithm == RSA) {
                    verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                }
                verifier.initVerify(jdkKey);
                verifier.update(PLAINTEXT);
                assertTrue(verifier.verify(signature.toArray()));
                assertEquals(1, kmip.ok(Operation.SIGNATURE_VERIFY, Kmip.uid(publicKey), params,
                        Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)), Ttlv.bytes(Tag.SIGNATURE_DATA, signature))
                        .require(Tag.VALIDITY_INDICATOR).asEnum());
                assertEquals(2, kmip.ok(Operation.SIGNATURE_VERIFY, Kmip.uid(publicKey), params,
                        Ttlv.bytes(Tag.DATA, Bytes.of("other".getBytes(StandardCharsets.US_ASCII))),
                        Ttlv.bytes(Tag.SIGNATURE_DATA, signature)).require(Tag.VALIDITY_INDICATOR).asEnum());
            }
        }
    }

    @Test
    void macHashAndRandom() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, HMAC_SHA256), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x180))).require(Tag.UNIQUE_IDENTIFIER).asText();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            Bytes mac = kmip.ok(Operation.MAC, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)))
                    .require(Tag.MAC_DATA).asBytes();
            assertEquals(32, mac.length());
            assertEquals(1, kmip.ok(Operation.MAC_VERIFY, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)),
                    Ttlv.bytes(Tag.MAC_DATA, mac)).require(Tag.VALIDITY_INDICATOR).asEnum());
            Bytes digest = kmip.ok(Operation.HASH, Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS,
                    Ttlv.enumeration(Tag.HASHING_ALGORITHM, 0x06)), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)))
                    .require(Tag.DATA).asBytes();
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(PLAINTEXT), digest.toArray());
            assertEquals(48, kmip.ok(Operation.RNG_RETRIEVE, Ttlv.integer(Tag.DATA_LENGTH, 48))
                    .require(Tag.DATA).asBytes().length());
            assertEquals(32, kmip.ok(Operation.RNG_SEED, Ttlv.bytes(Tag.DATA, Bytes.of(new byte[32])))
                    .require(Tag.DATA_LENGTH).asInt(), "every byte of the seed is mixed in");
            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.RNG_SEED,
                    Ttlv.bytes(Tag.DATA, Bytes.of(new byte[0]))), "an empty seed");
        }
    }

    @Test
    void anAesKeyMacsWithHmacOnlyWhenItNeitherEncryptsNorWraps() throws Exception {
        int mac = 0x180;
        try (KmipTestClient client = LOOPBACK.server().client()) {
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_4, ProtocolVersion.V2_1)) {
                Kmip kmip = new Kmip(client, version);
                int refusal = version.isTwoOrLater() ? ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK.code()
                        : ResultReason.PERMISSION_DENIED.code();
                for (int cipher : new int[] {0x04, 0x08, 0x10, 0x20}) {
                    assertEquals(refusal, kmip.refused(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY),
                            kmip.attributes(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                                    Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, mac | cipher))), "mask " + (mac | cipher));
                }
                byte[] key = new byte[16];
                assertEquals(refusal, kmip.refused(Operation.REGISTER, registerActiveAes(kmip, key, ENCRYPT_DECRYPT | 0x80)));
                String macOnly = kmip.ok(Operation.REGISTER, registerActiveAes(kmip, key, mac))
                        .require(Tag.UNIQUE_IDENTIFIER).asText();
                assertMacIsHmacSha256Of(kmip, macOnly, key);
                assertNotEquals(0, kmip.refused(Operation.ENCRYPT, Kmip.uid(macOnly),
                        Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT))), "a MAC key does not encrypt");
            }
        }
    }

    @Test
    void aProjectOptedInForLegacyClientsHasAesKeysThatMacAndEncrypt() throws Exception {
        int mac = 0x180;
        KmipLegacy legacy = new KmipLegacy(true, true);
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000, legacy,
                KmipTestClient.Offer.DEFAULT)) {
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_4, ProtocolVersion.V2_1)) {
                Kmip kmip = new Kmip(client, version);
                kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY),
                        kmip.attributes(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                                Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, mac | ENCRYPT_DECRYPT)));
                byte[] key = new byte[16];
                key[0] = (byte) version.major();
                String both = kmip.ok(Operation.REGISTER, registerActiveAes(kmip, key, mac | ENCRYPT_DECRYPT))
                        .require(Tag.UNIQUE_IDENTIFIER).asText();
                assertMacIsHmacSha256Of(kmip, both, key);
                kmip.ok(Operation.ENCRYPT, Kmip.uid(both), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)));
            }
        }
    }

    /** MAC of {@code uid} under HMAC-SHA256 gives what the JDK computes with {@code key}. */
    private static void assertMacIsHmacSha256Of(Kmip kmip, String uid, byte[] key) throws Exception {
        Bytes tag = kmip.ok(Operation.MAC, Kmip.uid(uid), Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS,
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, HMAC_SHA256)),
                Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT))).require(Tag.MAC_DATA).asBytes();
        javax.crypto.Mac jdk = javax.crypto.Mac.getInstance("HmacSHA256");
        jdk.init(new SecretKeySpec(key, "HmacSHA256"));
        assertArrayEquals(jdk.doFinal(PLAINTEXT), tag.toArray());
    }

    @Test
    void onlyAQuantumSafeKeyMayBeMarkedQuantumSafe() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            for (int length : new int[] {128, 256}) {
                Ttlv request = kmip.attributes(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, length),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT), Ttlv.bool(Tag.QUANTUM_SAFE, true));
                if (length == 128) {
                    assertEquals(ResultReason.GENERAL_FAILURE.code(), kmip.refused(Operation.CREATE,
                            Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), request), "AES-128 is not quantum safe");
                } else {
                    String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), request)
                            .require(Tag.UNIQUE_IDENTIFIER).asText();
                    assertTrue(kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid)).require(Tag.ATTRIBUTES)
                            .require(Tag.QUANTUM_SAFE).asBoolean(), "AES-256 keeps its Quantum Safe mark");
                }
            }
        }
    }

    @Test
    void reKeyMakesALinkedReplacementAndCustomAttributesCanBeEdited() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = createAes(kmip, "rekey");
            kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), Ttlv.structure(Tag.ATTRIBUTE,
                    Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner"), Ttlv.text(Tag.ATTRIBUTE_VALUE, "team-a")));
            kmip.ok(Operation.MODIFY_ATTRIBUTE, Kmip.uid(uid), Ttlv.structure(Tag.ATTRIBUTE,
                    Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner"), Ttlv.text(Tag.ATTRIBUTE_VALUE, "team-b")));
            List<String> names = kmip.ok(Operation.GET_ATTRIBUTE_LIST, Kmip.uid(uid)).all(Tag.ATTRIBUTE_NAME).stream()
                    .map(Ttlv::asText).toList();
            assertTrue(names.containsAll(List.of("x-owner", "Name", "State", "Cryptographic Usage Mask")), names.toString());
            String replacement = kmip.ok(Operation.REKEY, Kmip.uid(uid)).require(Tag.UNIQUE_IDENTIFIER).asText();
            assertNotEquals(uid, replacement);
            Ttlv link = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(replacement), Ttlv.text(Tag.ATTRIBUTE_NAME, "Link"))
                    .require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE);
            assertEquals(uid, link.require(Tag.LINKED_OBJECT_IDENTIFIER).asText());
            Ttlv owner = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(replacement), Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner"))
                    .require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE);
            assertEquals("team-b", owner.asText());
            kmip.ok(Operation.DELETE_ATTRIBUTE, Kmip.uid(uid), Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner"));
            assertTrue(kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner"))
                    .find(Tag.ATTRIBUTE).isEmpty());
            assertEquals(ResultReason.PERMISSION_DENIED.code(), kmip.refused(Operation.MODIFY_ATTRIBUTE, Kmip.uid(uid),
                    Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, "State"),
                            Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, 2))));
        }
    }

    private static Ttlv tresorAttribute(String name, Ttlv value) {
        return Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"), Ttlv.text(Tag.ATTRIBUTE_NAME, name),
                new Ttlv(Tag.ATTRIBUTE_VALUE.code(), value.type(), value.value()));
    }

    /** The value of one of Tresor's own attributes, named in a 2.x Get Attributes (its Attribute Reference). */
    private static Ttlv vendorValue(Kmip kmip, String uid, String name) throws Exception {
        List<Ttlv> answered = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid), Ttlv.structure(Tag.ATTRIBUTE_REFERENCE,
                Ttlv.text(Tag.VENDOR_IDENTIFICATION, "y"), Ttlv.text(Tag.ATTRIBUTE_NAME, name)))
                .require(Tag.ATTRIBUTES).all(Tag.ATTRIBUTE);
        assertEquals(1, answered.size(), "only the attribute asked for");
        assertEquals("y", answered.get(0).require(Tag.VENDOR_IDENTIFICATION).asText());
        assertEquals(name, answered.get(0).require(Tag.ATTRIBUTE_NAME).asText());
        return answered.get(0).require(Tag.ATTRIBUTE_VALUE);
    }

    @Test
    void everyVersionReportsItsNumberAndWhetherItIsPrimaryAndCanBeLocatedByThem() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String first = createAes(kmip, "versions");
            kmip.ok(Operation.ACTIVATE, Kmip.uid(first));
            assertEquals(1, vendorValue(kmip, first, "y-tresor-version").asInt());
            assertTrue(vendorValue(kmip, first, "y-tresor-primary").asBoolean());

            String second = kmip.ok(Operation.REKEY, Kmip.uid(first)).require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(2, vendorValue(kmip, second, "y-tresor-version").asInt());
            assertTrue(vendorValue(kmip, second, "y-tresor-primary").asBoolean());
            assertEquals(false, vendorValue(kmip, first, "y-tresor-primary").asBoolean(), "rotation moves primary");
            assertTrue(kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(first)).require(Tag.ATTRIBUTES).all(Tag.ATTRIBUTE)
                    .stream().noneMatch(a -> a.require(Tag.ATTRIBUTE_NAME).asText().startsWith("y-")),
                    "2.x clients get them only by name too");

            Ttlv byName = Kmip.name("versions");
            assertEquals(List.of(second), kmip.ok(Operation.LOCATE, Ttlv.structure(Tag.ATTRIBUTES, byName,
                    tresorAttribute("y-tresor-primary", Ttlv.bool(Tag.ATTRIBUTE_VALUE, true))))
                    .all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList());
            assertEquals(List.of(first), kmip.ok(Operation.LOCATE, Ttlv.structure(Tag.ATTRIBUTES, byName,
                    tresorAttribute("y-tresor-version", Ttlv.integer(Tag.ATTRIBUTE_VALUE, 1))))
                    .all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList());

            kmip.ok(Operation.REVOKE, Kmip.uid(second), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, 5)));
            assertTrue(vendorValue(kmip, first, "y-tresor-primary").asBoolean(),
                    "a revoked newest version hands primary back to the newest enabled one");
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), kmip.refused(Operation.ADD_ATTRIBUTE, Kmip.uid(first),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, tresorAttribute("y-tresor-primary",
                            Ttlv.bool(Tag.ATTRIBUTE_VALUE, false)))), "set by the server only");

            Kmip oneFour = new Kmip(client, ProtocolVersion.V1_4);
            assertTrue(oneFour.ok(Operation.GET_ATTRIBUTES, Kmip.uid(first)).all(Tag.ATTRIBUTE).stream()
                    .noneMatch(a -> a.require(Tag.ATTRIBUTE_NAME).asText().startsWith("y-")),
                    "so do 1.x clients");
            assertTrue(oneFour.ok(Operation.GET_ATTRIBUTES, Kmip.uid(first), Ttlv.text(Tag.ATTRIBUTE_NAME,
                    "y-tresor-primary")).require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_VALUE).asBoolean());
        }
    }

    @Test
    void manyLongCustomAttributesAreKept() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String uid = createAes(kmip, "many-attributes");
            String value = "v".repeat(200);
            for (int i = 0; i < 40; i++) {
                kmip.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), Ttlv.structure(Tag.ATTRIBUTE,
                        Ttlv.text(Tag.ATTRIBUTE_NAME, "x-attribute-" + i), Ttlv.text(Tag.ATTRIBUTE_VALUE, value + i)));
            }
            assertEquals(value + 39, kmip.namedAttribute(uid, "x-attribute-39").orElseThrow().asText());
            assertEquals(List.of(uid), kmip.ok(Operation.LOCATE, Ttlv.structure(Tag.ATTRIBUTE,
                    Ttlv.text(Tag.ATTRIBUTE_NAME, "x-attribute-7"), Ttlv.text(Tag.ATTRIBUTE_VALUE, value + 7)))
                    .all(Tag.UNIQUE_IDENTIFIER).stream().map(Ttlv::asText).toList());
        }
    }

    @Test
    void aKeyBecomesActiveWhenItsActivationDateComes() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128),
                    Ttlv.dateTime(Tag.ACTIVATION_DATE, now().plusSeconds(600))))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            assertEquals(1, state(kmip, ProtocolVersion.V2_1, uid));
            LOOPBACK.server().core.clock().advance(java.time.Duration.ofMinutes(10));
            assertEquals(2, state(kmip, ProtocolVersion.V2_1, uid));
            kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.of(PLAINTEXT)));
        }
    }

    @Test
    void anUnknownObjectIsItemNotFoundInOneXAndObjectNotFoundInTwoX() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            assertEquals(ResultReason.ITEM_NOT_FOUND.code(), new Kmip(client, ProtocolVersion.V1_4)
                    .refused(Operation.GET, Kmip.uid("00000000-0000-0000-0000-000000000000")));
            assertEquals(ResultReason.OBJECT_NOT_FOUND.code(), new Kmip(client, ProtocolVersion.V2_1)
                    .refused(Operation.GET, Kmip.uid("00000000-0000-0000-0000-000000000000")));
        }
    }
}
