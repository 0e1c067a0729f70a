package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * The attributes a registered X.509 certificate states about itself, read from its DER (ASN.1
 * only, nothing is verified): Certificate Type and Length; X.509 Certificate Identifier (issuer
 * and serial number), Subject and Issuer (DER distinguished names); and, for 2.x, the Certificate
 * Subject and Issuer name parts (CN, O, OU, Email, C, ST, L, UID, Serial Number, Title, DC, DN
 * Qualifier), one value per occurrence in the name. All are server-set and read-only.
 */
final class CertificateAttributes {
    private static final int X_509 = 0x01;
    /** The name parts 2.x turns into attributes, subject tag and issuer tag per X.500 attribute type. */
    private static final List<NamePart> PARTS = List.of(
            new NamePart(BCStyle.CN, Tag.CERTIFICATE_SUBJECT_CN, Tag.CERTIFICATE_ISSUER_CN),
            new NamePart(BCStyle.O, Tag.CERTIFICATE_SUBJECT_O, Tag.CERTIFICATE_ISSUER_O),
            new NamePart(BCStyle.OU, Tag.CERTIFICATE_SUBJECT_OU, Tag.CERTIFICATE_ISSUER_OU),
            new NamePart(BCStyle.EmailAddress, Tag.CERTIFICATE_SUBJECT_EMAIL, Tag.CERTIFICATE_ISSUER_EMAIL),
            new NamePart(BCStyle.C, Tag.CERTIFICATE_SUBJECT_C, Tag.CERTIFICATE_ISSUER_C),
            new NamePart(BCStyle.ST, Tag.CERTIFICATE_SUBJECT_ST, Tag.CERTIFICATE_ISSUER_ST),
            new NamePart(BCStyle.L, Tag.CERTIFICATE_SUBJECT_L, Tag.CERTIFICATE_ISSUER_L),
            new NamePart(BCStyle.UID, Tag.CERTIFICATE_SUBJECT_UID, Tag.CERTIFICATE_ISSUER_UID),
            new NamePart(BCStyle.SERIALNUMBER, Tag.CERTIFICATE_SUBJECT_SERIAL_NUMBER,
                    Tag.CERTIFICATE_ISSUER_SERIAL_NUMBER),
            new NamePart(BCStyle.T, Tag.CERTIFICATE_SUBJECT_TITLE, Tag.CERTIFICATE_ISSUER_TITLE),
            new NamePart(BCStyle.DC, Tag.CERTIFICATE_SUBJECT_DC, Tag.CERTIFICATE_ISSUER_DC),
            new NamePart(BCStyle.DN_QUALIFIER, Tag.CERTIFICATE_SUBJECT_DN_QUALIFIER,
                    Tag.CERTIFICATE_ISSUER_DN_QUALIFIER));

    private record NamePart(ASN1ObjectIdentifier type, Tag subject, Tag issuer) {
    }

    private CertificateAttributes() {
    }

    /** Every attribute the server derives from a Certificate structure, by name in the order above. */
    static Map<String, List<Ttlv>> of(Ttlv certificate) {
        Map<String, List<Ttlv>> derived = new LinkedHashMap<>();
        int type = certificate.require(Tag.CERTIFICATE_TYPE).asEnum();
        put(derived, Tag.CERTIFICATE_TYPE, Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, type));
        Bytes der = certificate.require(Tag.CERTIFICATE_VALUE).asBytes();
        put(derived, Tag.CERTIFICATE_LENGTH, Ttlv.integer(Tag.ATTRIBUTE_VALUE, der.length()));
        if (type != X_509) {
            return derived;
        }
        Certificate x509;
        try {
            x509 = Certificate.getInstance(der.toArray());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "the Certificate Value is not a DER X.509 certificate");
        }
        Bytes issuer = encoded(x509.getIssuer());
        Bytes subject = encoded(x509.getSubject());
        put(derived, Tag.X_509_CERTIFICATE_IDENTIFIER, Ttlv.structure(Tag.ATTRIBUTE_VALUE,
                Ttlv.bytes(Tag.ISSUER_DISTINGUISHED_NAME, issuer),
                Ttlv.bytes(Tag.CERTIFICATE_SERIAL_NUMBER, Bytes.of(x509.getSerialNumber().getValue().toByteArray()))));
        put(derived, Tag.X_509_CERTIFICATE_SUBJECT, Ttlv.structure(Tag.ATTRIBUTE_VALUE,
                Ttlv.bytes(Tag.SUBJECT_DISTINGUISHED_NAME, subject)));
        put(derived, Tag.X_509_CERTIFICATE_ISSUER, Ttlv.structure(Tag.ATTRIBUTE_VALUE,
                Ttlv.bytes(Tag.ISSUER_DISTINGUISHED_NAME, issuer)));
        for (NamePart part : PARTS) {
            parts(x509.getSubject(), part.type()).forEach(value -> put(derived, part.subject(), value));
        }
        for (NamePart part : PARTS) {
            parts(x509.getIssuer(), part.type()).forEach(value -> put(derived, part.issuer(), value));
        }
        return derived;
    }

    /** The names of every attribute {@link #of} may derive: a client may neither supply nor change them. */
    static List<String> names() {
        List<String> names = new ArrayList<>(List.of(Attributes.specName(Tag.CERTIFICATE_TYPE),
                Attributes.specName(Tag.CERTIFICATE_LENGTH), Attributes.specName(Tag.X_509_CERTIFICATE_IDENTIFIER),
                Attributes.specName(Tag.X_509_CERTIFICATE_SUBJECT), Attributes.specName(Tag.X_509_CERTIFICATE_ISSUER)));
        PARTS.forEach(part -> {
            names.add(Attributes.specName(part.subject()));
            names.add(Attributes.specName(part.issuer()));
        });
        return names;
    }

    /** The 2.x name-part attributes, which 1.x clients do not know. */
    static boolean namePart(String name) {
        return PARTS.stream().anyMatch(part -> Attributes.specName(part.subject()).equals(name)
                || Attributes.specName(part.issuer()).equals(name));
    }

    private static void put(Map<String, List<Ttlv>> derived, Tag tag, Ttlv value) {
        derived.computeIfAbsent(Attributes.specName(tag), n -> new ArrayList<>()).add(value);
    }

    private static List<Ttlv> parts(X500Name name, ASN1ObjectIdentifier type) {
        List<Ttlv> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            for (AttributeTypeAndValue value : rdn.getTypesAndValues()) {
                if (value.getType().equals(type)) {
                    values.add(Ttlv.text(Tag.ATTRIBUTE_VALUE, text(value.getValue())));
                }
            }
        }
        return values;
    }

    private static String text(ASN1Encodable value) {
        return value instanceof ASN1String string ? string.getString() : value.toString();
    }

    private static Bytes encoded(X500Name name) {
        try {
            return Bytes.of(name.getEncoded());
        } catch (IOException e) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "the certificate's distinguished name cannot be encoded");
        }
    }
}
