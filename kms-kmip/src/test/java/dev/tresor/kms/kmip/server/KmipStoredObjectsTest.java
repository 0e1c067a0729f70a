package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.ManagedObject;
import dev.tresor.kms.key.ObjectPublicKey;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Secret data, opaque objects, certificates and lone public keys over KMIP, kept as core managed objects. */
class KmipStoredObjectsTest {
    private static final int CERTIFICATE = 0x01;
    private static final int PUBLIC_KEY = 0x03;
    private static final int SECRET_DATA = 0x07;
    private static final int OPAQUE_OBJECT = 0x08;
    private static final int VALID = 1;
    private static final int INVALID = 2;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static Ttlv secretData(String password) {
        return Ttlv.structure(Tag.SECRET_DATA, Ttlv.enumeration(Tag.SECRET_DATA_TYPE, 1),
                Ttlv.structure(Tag.KEY_BLOCK, Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 2), Ttlv.structure(Tag.KEY_VALUE,
                        Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.wrap(password.getBytes(StandardCharsets.UTF_8))))));
    }

    private static String register(Kmip kmip, int type, Ttlv object, Ttlv... attributes) throws Exception {
        return kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, type), kmip.attributes(attributes), object)
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    @Test
    void secretDataIsRegisteredReadLocatedAndDestroyedThroughItsLifecycle() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv secret = secretData("correct horse battery staple");
            String uid = register(kmip, SECRET_DATA, secret, Kmip.name("db-password"));
            assertTrue(uid.startsWith("obj-"), "stored objects have their own id form: " + uid);

            Ttlv got = kmip.ok(Operation.GET, Kmip.uid(uid));
            assertEquals(SECRET_DATA, got.require(Tag.OBJECT_TYPE).asEnum());
            assertArrayEquals(TtlvWriter.write(secret), TtlvWriter.write(got.require(Tag.SECRET_DATA)));
            assertEquals(uid, kmip.ok(Operation.LOCATE, kmip.attributes(Kmip.name("db-password")))
                    .require(Tag.UNIQUE_IDENTIFIER).asText());
            Ttlv attributes = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid)).require(Tag.ATTRIBUTES);
            assertEquals(SECRET_DATA, attributes.require(Tag.OBJECT_TYPE).asEnum());
            assertEquals(1, attributes.require(Tag.STATE).asEnum(), "Pre-Active until activated");

            kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(), kmip.refused(Operation.DESTROY, Kmip.uid(uid)));
            kmip.ok(Operation.REVOKE, Kmip.uid(uid), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, 5)));
            kmip.ok(Operation.DESTROY, Kmip.uid(uid));
            assertEquals(ResultReason.OBJECT_DESTROYED.code(), kmip.refused(Operation.GET, Kmip.uid(uid)));
            assertEquals(ResultReason.PERMISSION_DENIED.code(),
                    new Kmip(client, ProtocolVersion.V1_4).refused(Operation.GET, Kmip.uid(uid)), "1.x has no such reason");
            assertTrue(kmip.ok(Operation.LOCATE, kmip.attributes(Kmip.name("db-password")))
                    .find(Tag.UNIQUE_IDENTIFIER).isEmpty(), "a destroyed object is located only when its State is asked");
            assertEquals(uid, kmip.ok(Operation.LOCATE, kmip.attributes(Kmip.name("db-password"),
                    Ttlv.enumeration(Tag.STATE, 5))).require(Tag.UNIQUE_IDENTIFIER).asText());
            LOOPBACK.server().core.clock().advance(Duration.ofDays(31));
            assertEquals(ResultReason.OBJECT_NOT_FOUND.code(), kmip.refused(Operation.GET_ATTRIBUTES, Kmip.uid(uid)));
        }
    }

    private static Ttlv rsaPublicKey(java.security.PublicKey key) {
        byte[] pkcs1 = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(key.getEncoded())
                .getPublicKeyData().getBytes();
        return Ttlv.structure(Tag.PUBLIC_KEY, Ttlv.structure(Tag.KEY_BLOCK, Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 0x03),
                Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.wrap(pkcs1))),
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x04), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048)));
    }

    @Test
    void aPublicKeyRegisteredAloneEncryptsAndVerifiesWithinItsUsageMaskAndDates() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair pair = generator.generateKeyPair();
        byte[] message = "sixteen byte msg".getBytes(StandardCharsets.US_ASCII);
        java.time.Instant now = LOOPBACK.server().core.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = register(kmip, PUBLIC_KEY, rsaPublicKey(pair.getPublic()),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x04 | 0x02), Ttlv.dateTime(Tag.ACTIVATION_DATE, now),
                    Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.plusSeconds(60)));

            Ttlv sha384 = Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.PADDING_METHOD, 0x02),
                    Ttlv.enumeration(Tag.HASHING_ALGORITHM, 0x07));
            byte[] ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(uid), sha384, Ttlv.bytes(Tag.DATA, Bytes.wrap(message)))
                    .require(Tag.DATA).asBytes().toArray();
            javax.crypto.Cipher oaep = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
            oaep.init(javax.crypto.Cipher.DECRYPT_MODE, pair.getPrivate(), new javax.crypto.spec.OAEPParameterSpec(
                    "SHA-384", "MGF1", java.security.spec.MGF1ParameterSpec.SHA384,
                    javax.crypto.spec.PSource.PSpecified.DEFAULT));
            assertArrayEquals(message, oaep.doFinal(ciphertext));

            java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
            pss.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                    java.security.spec.MGF1ParameterSpec.SHA256, 222, 1));
            pss.initSign(pair.getPrivate());
            pss.update(message);
            Ttlv verified = kmip.ok(Operation.SIGNATURE_VERIFY, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.wrap(message)),
                    Ttlv.bytes(Tag.SIGNATURE_DATA, Bytes.wrap(pss.sign())));
            assertEquals(1, verified.require(Tag.VALIDITY_INDICATOR).asEnum(), "Valid, whatever the salt length");

            LOOPBACK.server().core.clock().advance(Duration.ofMinutes(2));
            assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(), kmip.refused(Operation.ENCRYPT, Kmip.uid(uid),
                    Ttlv.bytes(Tag.DATA, Bytes.wrap(message))), "past its Protect Stop Date");
            String verifyOnly = register(kmip, PUBLIC_KEY, rsaPublicKey(pair.getPublic()),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x02), Ttlv.dateTime(Tag.ACTIVATION_DATE, now));
            assertEquals(ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK.code(), kmip.refused(Operation.ENCRYPT,
                    Kmip.uid(verifyOnly), Ttlv.bytes(Tag.DATA, Bytes.wrap(message))), "the usage mask grants Verify only");
        }
    }

    private static byte[] pssSignature(java.security.PrivateKey key, byte[] message) throws Exception {
        java.security.Signature pss = java.security.Signature.getInstance("RSASSA-PSS");
        pss.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        pss.initSign(key);
        pss.update(message);
        return pss.sign();
    }

    private static int validity(Kmip kmip, String uid, byte[] message, byte[] signature) throws Exception {
        return kmip.ok(Operation.SIGNATURE_VERIFY, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.wrap(message)),
                Ttlv.bytes(Tag.SIGNATURE_DATA, Bytes.wrap(signature))).require(Tag.VALIDITY_INDICATOR).asEnum();
    }

    @Test
    void aPublicKeyRegisteredBeforeTheCoreKeptItsKeyEncryptsAndVerifiesWithTheKeyOfItsOwnValue() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair pair = generator.generateKeyPair();
        java.security.KeyPair other = generator.generateKeyPair();
        byte[] message = "sixteen byte msg".getBytes(StandardCharsets.US_ASCII);
        java.time.Instant now = LOOPBACK.server().core.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        KeyManagement core = LOOPBACK.server().core.core().keyManagement();
        Caller admin = TestCore.caller(LOOPBACK.server().tenant, Role.ADMIN);
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String registered = register(kmip, PUBLIC_KEY, rsaPublicKey(pair.getPublic()),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x04 | 0x02), Ttlv.dateTime(Tag.ACTIVATION_DATE, now));
            // What Register stored before the core kept a public key's key: the object and its value only.
            ManagedObject object = core.getObject(admin, registered.substring("obj-".length()));
            String legacy = "obj-" + core.registerObject(admin, ManagedObject.Type.PUBLIC_KEY,
                    core.objectValue(admin, object.id()), Optional.of(object.exportable()), object.attributes()).id();

            Ttlv sha256 = Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.PADDING_METHOD, 0x02),
                    Ttlv.enumeration(Tag.HASHING_ALGORITHM, 0x06));
            byte[] ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(legacy), sha256,
                    Ttlv.bytes(Tag.DATA, Bytes.wrap(message))).require(Tag.DATA).asBytes().toArray();
            javax.crypto.Cipher oaep = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
            oaep.init(javax.crypto.Cipher.DECRYPT_MODE, pair.getPrivate(), new javax.crypto.spec.OAEPParameterSpec(
                    "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256,
                    javax.crypto.spec.PSource.PSpecified.DEFAULT));
            assertArrayEquals(message, oaep.doFinal(ciphertext));
            Kmip one = new Kmip(client, ProtocolVersion.V1_4);
            assertEquals(VALID, validity(one, legacy, message, pssSignature(pair.getPrivate(), message)));

            core.adoptPublicKey(admin, legacy.substring("obj-".length()), value -> Optional.of(new ObjectPublicKey(
                    ObjectPublicKey.Encoding.X509_SUBJECT_PUBLIC_KEY_INFO, Bytes.of(other.getPublic().getEncoded()))));
            assertEquals(INVALID, validity(kmip, legacy, message, pssSignature(other.getPrivate(), message)),
                    "the key taken from the object's value is kept: a later adoption replaces nothing");
            assertEquals(VALID, validity(kmip, legacy, message, pssSignature(pair.getPrivate(), message)));
        }
    }

    @Test
    void aPublicKeyInAFormatTheCoreDoesNotReadIsRefusedAsAnUnsupportedKeyFormat() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.interfaces.RSAPublicKey key = (java.security.interfaces.RSAPublicKey) generator.generateKeyPair()
                .getPublic();
        Ttlv transparent = Ttlv.structure(Tag.PUBLIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 0x0B), Ttlv.structure(Tag.KEY_VALUE, Ttlv.structure(Tag.KEY_MATERIAL,
                        Ttlv.bigInteger(Tag.MODULUS, key.getModulus()),
                        Ttlv.bigInteger(Tag.PUBLIC_EXPONENT, key.getPublicExponent()))),
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x04), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 2048)));
        byte[] message = "sixteen byte msg".getBytes(StandardCharsets.US_ASCII);
        java.time.Instant now = LOOPBACK.server().core.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = register(kmip, PUBLIC_KEY, transparent, Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x04 | 0x02),
                    Ttlv.dateTime(Tag.ACTIVATION_DATE, now));
            assertArrayEquals(TtlvWriter.write(transparent), TtlvWriter.write(kmip.ok(Operation.GET, Kmip.uid(uid))
                    .require(Tag.PUBLIC_KEY)), "stored and answered as registered");

            assertEquals(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED.code(), kmip.refused(Operation.ENCRYPT,
                    Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.wrap(message))));
            assertEquals(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED.code(), new Kmip(client, ProtocolVersion.V1_4)
                    .refused(Operation.SIGNATURE_VERIFY, Kmip.uid(uid), Ttlv.bytes(Tag.DATA, Bytes.wrap(message)),
                            Ttlv.bytes(Tag.SIGNATURE_DATA, Bytes.wrap(new byte[256]))));
        }
    }

    @Test
    void attributesOfAStoredObjectAreAddedAndSetLikeAKeys() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip one = new Kmip(client, ProtocolVersion.V1_4);
            String uid = register(one, SECRET_DATA, secretData("s3cret"));
            one.ok(Operation.ADD_ATTRIBUTE, Kmip.uid(uid), Ttlv.structure(Tag.ATTRIBUTE,
                    Ttlv.text(Tag.ATTRIBUTE_NAME, "x-owner"), Ttlv.text(Tag.ATTRIBUTE_VALUE, "team-a")));
            Kmip two = new Kmip(client, ProtocolVersion.V2_1);
            two.ok(Operation.SET_ATTRIBUTE, Kmip.uid(uid), Ttlv.structure(Tag.NEW_ATTRIBUTE,
                    Ttlv.text(Tag.CONTACT_INFORMATION, "ops@example.org")));
            Ttlv attributes = two.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid)).require(Tag.ATTRIBUTES);
            assertEquals("ops@example.org", attributes.require(Tag.CONTACT_INFORMATION).asText());
            assertTrue(attributes.all(Tag.ATTRIBUTE).stream()
                    .anyMatch(a -> a.require(Tag.ATTRIBUTE_VALUE).asText().equals("team-a")));
        }
    }

    @Test
    void anOpaqueObjectNotExtractableStaysInsideWhileACertificateIsAlwaysReadable() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String opaque = register(kmip, OPAQUE_OBJECT, Ttlv.structure(Tag.OPAQUE_OBJECT,
                    Ttlv.enumeration(Tag.OPAQUE_DATA_TYPE, 0x80000001),
                    Ttlv.bytes(Tag.OPAQUE_DATA_VALUE, Bytes.wrap(new byte[] {1, 2, 3}))),
                    Ttlv.bool(Tag.EXTRACTABLE, false));
            assertEquals(ResultReason.PERMISSION_DENIED.code(), kmip.refused(Operation.GET, Kmip.uid(opaque)));

            Ttlv certificate = Ttlv.structure(Tag.CERTIFICATE, Ttlv.enumeration(Tag.CERTIFICATE_TYPE, 1),
                    Ttlv.bytes(Tag.CERTIFICATE_VALUE, Bytes.wrap(LOOPBACK.server().pki.client.certificate()
                            .getEncoded())));
            String cert = register(kmip, CERTIFICATE, certificate, Ttlv.bool(Tag.EXTRACTABLE, false));
            assertArrayEquals(TtlvWriter.write(certificate),
                    TtlvWriter.write(kmip.ok(Operation.GET, Kmip.uid(cert)).require(Tag.CERTIFICATE)));
        }
    }
}
