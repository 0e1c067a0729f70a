package dev.tresor.kms.attest;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * A VCEK or VLEK certificate read for SNP: the AMD extensions (SPLs, hwID, cspID) and the
 * profile every AMD endorsement key must have (X.509 v3, RSASSA-PSS SHA-384/48, EC P-384 key).
 */
final class AmdEndorsement {
    private static final String AMD_OID = "1.3.6.1.4.1.3704.1.";
    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";

    private final X509Certificate certificate;

    AmdEndorsement(X509Certificate certificate) {
        this.certificate = certificate;
    }

    X509Certificate certificate() {
        return certificate;
    }

    boolean isVlek() {
        return Certificates.commonName(certificate.getSubjectX500Principal()).equals("SEV-VLEK");
    }

    String issuerName() {
        return Certificates.commonName(certificate.getIssuerX500Principal());
    }

    /** Checks the AMD key profile; {@code role} names the certificate in the refusal. */
    void requireProfile(String role) {
        if (certificate.getVersion() != 3) {
            throw Reason.CHAIN_INVALID.error(role + " is not an X.509 v3 certificate");
        }
        requirePss(certificate, role);
        if (!(certificate.getPublicKey() instanceof ECPublicKey ec)
                || ec.getParams().getCurve().getField().getFieldSize() != 384) {
            throw Reason.CHAIN_INVALID.error(role + " key is not EC P-384");
        }
    }

    /** AMD signs with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48, trailer 1; nothing else. */
    static void requirePss(X509Certificate certificate, String role) {
        if (!RSASSA_PSS.equals(certificate.getSigAlgOID()) || certificate.getSigAlgParams() == null) {
            throw Reason.CHAIN_INVALID.error(role + " is not signed with RSASSA-PSS");
        }
        RSASSAPSSparams params;
        try {
            params = RSASSAPSSparams.getInstance(ASN1Primitive.fromByteArray(certificate.getSigAlgParams()));
        } catch (IOException | IllegalArgumentException e) {
            throw Reason.CHAIN_INVALID.error(role + " has malformed RSASSA-PSS parameters");
        }
        AlgorithmIdentifier mgf = params.getMaskGenAlgorithm();
        boolean ok = params.getHashAlgorithm().getAlgorithm().equals(NISTObjectIdentifiers.id_sha384)
                && mgf.getAlgorithm().equals(PKCSObjectIdentifiers.id_mgf1)
                && AlgorithmIdentifier.getInstance(mgf.getParameters()).getAlgorithm()
                        .equals(NISTObjectIdentifiers.id_sha384)
                && params.getSaltLength().intValue() == 48
                && params.getTrailerField().intValue() == 1;
        if (!ok) {
            throw Reason.CHAIN_INVALID.error(role + " RSASSA-PSS parameters are not SHA-384/MGF1-SHA-384/48");
        }
    }

    OptionalSpl spl(int component) {
        return integer(AMD_OID + "3." + component).map(OptionalSpl::of).orElse(OptionalSpl.ABSENT);
    }

    Optional<String> productName() {
        return value(AMD_OID + "2").map(v -> v instanceof ASN1String s ? s.getString() : v.toString());
    }

    /** The chip's hardware id: raw 64 bytes in older certificates, an OCTET STRING in newer ones. */
    Optional<byte[]> hwId() {
        return rawExtension(AMD_OID + "4").map(content -> {
            try {
                ASN1Primitive parsed = ASN1Primitive.fromByteArray(content);
                if (parsed instanceof ASN1OctetString octets) {
                    return octets.getOctets();
                }
            } catch (IOException | RuntimeException e) {
                return content;
            }
            return content;
        });
    }

    Optional<String> cspId() {
        return value(AMD_OID + "5").map(v -> v instanceof ASN1IA5String s ? s.getString()
                : v instanceof ASN1String s ? s.getString() : v.toString());
    }

    private Optional<Long> integer(String oid) {
        return value(oid).map(v -> {
            if (v instanceof ASN1Integer i) {
                return i.getValue().longValueExact();
            }
            throw Reason.CHAIN_INVALID.error("AMD extension " + oid + " is not an INTEGER");
        });
    }

    private Optional<ASN1Encodable> value(String oid) {
        return rawExtension(oid).map(content -> {
            try {
                return ASN1Primitive.fromByteArray(content);
            } catch (IOException e) {
                throw Reason.CHAIN_INVALID.error("AMD extension " + oid + " does not parse");
            }
        });
    }

    private Optional<byte[]> rawExtension(String oid) {
        byte[] wrapped = certificate.getExtensionValue(oid);
        if (wrapped == null) {
            return Optional.empty();
        }
        return Optional.of(ASN1OctetString.getInstance(wrapped).getOctets());
    }

    /** A security patch level from the certificate, absent when the extension is missing. */
    record OptionalSpl(boolean present, long value) {
        static final OptionalSpl ABSENT = new OptionalSpl(false, 0);

        static OptionalSpl of(long value) {
            return new OptionalSpl(true, value);
        }
    }
}
