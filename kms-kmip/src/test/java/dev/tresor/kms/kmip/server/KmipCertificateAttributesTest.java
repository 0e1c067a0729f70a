package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.tenant.Role;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A registered X.509 certificate's own attributes, derived by the server and read-only, over real TLS. */
class KmipCertificateAttributesTest {
    private static final int CERTIFICATE = 0x01;
    private static final X500Name ISSUER = new X500Name("C=DE,O=Tresor Test CA,CN=Root");
    private static final X500Name SUBJECT = new X500Name("C=DE,ST=Berlin,O=Tresor,OU=KMS,OU=KMIP,CN=kmip.example.org");
    private static final BigInteger SERIAL = BigInteger.valueOf(0x4711_0815L);

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static byte[] certificateDer() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return new JcaX509v3CertificateBuilder(ISSUER, SERIAL, Date.from(now), Date.from(now.plusSeconds(86_400)),
                SUBJECT, pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())).getEncoded();
    }

    private static String register(Kmip kmip, byte[] value) throws Exception {
        return kmip.ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, CERTIFICATE), kmip.attributes(),
                Ttlv.structure(Tag.CERTIFICATE, Ttlv.enumeration(Tag.CERTIFICATE_TYPE, 1),
                        Ttlv.bytes(Tag.CERTIFICATE_VALUE, Bytes.wrap(value))))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    @Test
    void theCertificatesOwnFieldsBecomeItsAttributes() throws Exception {
        byte[] der = certificateDer();
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String uid = register(kmip, der);
            Ttlv attributes = kmip.ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid)).require(Tag.ATTRIBUTES);
            assertEquals(1, attributes.require(Tag.CERTIFICATE_TYPE).asEnum(), "X.509");
            assertEquals(der.length, attributes.require(Tag.CERTIFICATE_LENGTH).asInt());
            Ttlv identifier = attributes.require(Tag.X_509_CERTIFICATE_IDENTIFIER);
            assertArrayEquals(ISSUER.getEncoded(), identifier.require(Tag.ISSUER_DISTINGUISHED_NAME).asBytes().toArray());
            assertArrayEquals(SERIAL.toByteArray(), identifier.require(Tag.CERTIFICATE_SERIAL_NUMBER).asBytes().toArray());
            assertArrayEquals(SUBJECT.getEncoded(), attributes.require(Tag.X_509_CERTIFICATE_SUBJECT)
                    .require(Tag.SUBJECT_DISTINGUISHED_NAME).asBytes().toArray());
            assertArrayEquals(ISSUER.getEncoded(), attributes.require(Tag.X_509_CERTIFICATE_ISSUER)
                    .require(Tag.ISSUER_DISTINGUISHED_NAME).asBytes().toArray());
            assertEquals(List.of("kmip.example.org"), texts(attributes, Tag.CERTIFICATE_SUBJECT_CN));
            assertEquals(List.of("KMS", "KMIP"), texts(attributes, Tag.CERTIFICATE_SUBJECT_OU));
            assertEquals(List.of("Berlin"), texts(attributes, Tag.CERTIFICATE_SUBJECT_ST));
            assertEquals(List.of("Root"), texts(attributes, Tag.CERTIFICATE_ISSUER_CN));
            assertEquals(List.of("Tresor Test CA"), texts(attributes, Tag.CERTIFICATE_ISSUER_O));
            assertEquals(List.of(), texts(attributes, Tag.CERTIFICATE_ISSUER_OU));
        }
    }

    @Test
    void derivedCertificateAttributesAreReadOnlyInEveryVersion() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip two = new Kmip(client, ProtocolVersion.V2_1);
            String uid = register(two, certificateDer());
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), two.refused(Operation.MODIFY_ATTRIBUTE, Kmip.uid(uid),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.integer(Tag.CERTIFICATE_LENGTH, 123))));
            assertEquals(ResultReason.ATTRIBUTE_READ_ONLY.code(), two.refused(Operation.SET_ATTRIBUTE, Kmip.uid(uid),
                    Ttlv.structure(Tag.NEW_ATTRIBUTE, Ttlv.text(Tag.CERTIFICATE_SUBJECT_CN, "someone else"))));
            Kmip one = new Kmip(client, ProtocolVersion.V1_4);
            assertEquals(ResultReason.PERMISSION_DENIED.code(), one.refused(Operation.MODIFY_ATTRIBUTE, Kmip.uid(uid),
                    Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, "Certificate Length"),
                            Ttlv.integer(Tag.ATTRIBUTE_VALUE, 123))), "1.x has no Attribute Read Only");
        }
    }

    @Test
    void oneXClientsGetTheX509AttributesByTheirSpecNamesButNotTheTwoXNameParts() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            String uid = register(new Kmip(client, ProtocolVersion.V2_1), certificateDer());
            Ttlv payload = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid));
            List<String> names = payload.all(Tag.ATTRIBUTE).stream()
                    .map(a -> a.require(Tag.ATTRIBUTE_NAME).asText()).toList();
            assertTrue(names.containsAll(List.of("Certificate Type", "Certificate Length", "X.509 Certificate Identifier",
                    "X.509 Certificate Subject", "X.509 Certificate Issuer")), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.startsWith("Certificate Subject ")), names.toString());
            Ttlv named = new Kmip(client, ProtocolVersion.V1_4).ok(Operation.GET_ATTRIBUTES, Kmip.uid(uid),
                    Ttlv.text(Tag.ATTRIBUTE_NAME, "X.509 Certificate Subject"));
            assertEquals("X.509 Certificate Subject", named.require(Tag.ATTRIBUTE).require(Tag.ATTRIBUTE_NAME).asText());
        }
    }

    @Test
    void aCertificateValueThatIsNotDerIsRefusedAndNothingIsStored() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().clientOfNewProject(Role.ADMIN, 1_000)) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            Ttlv item = kmip.item(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, CERTIFICATE), kmip.attributes(),
                    Ttlv.structure(Tag.CERTIFICATE, Ttlv.enumeration(Tag.CERTIFICATE_TYPE, 1),
                            Ttlv.bytes(Tag.CERTIFICATE_VALUE, Bytes.wrap(LOOPBACK.server().pki.client.certificatePem()
                                    .getBytes(StandardCharsets.US_ASCII)))));
            assertEquals(ResultReason.INVALID_FIELD.code(), Requests.reason(item));
            assertEquals("the Certificate Value is not a DER X.509 certificate",
                    item.require(Tag.RESULT_MESSAGE).asText());
            assertTrue(kmip.ok(Operation.LOCATE, kmip.attributes(Ttlv.enumeration(Tag.OBJECT_TYPE, CERTIFICATE)))
                    .find(Tag.UNIQUE_IDENTIFIER).isEmpty());
        }
    }

    private static List<String> texts(Ttlv attributes, Tag tag) {
        return attributes.all(tag).stream().map(Ttlv::asText).toList();
    }
}
