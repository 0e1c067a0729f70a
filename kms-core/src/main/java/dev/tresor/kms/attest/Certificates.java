package dev.tresor.kms.attest;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/** X.509 steps shared by the verifiers: parsing, pinning, chain links, validity and CRLs. */
public final class Certificates {
    private Certificates() {
    }

    /** Every certificate in {@code encoded}: one DER certificate or any number of PEM blocks. */
    public static List<X509Certificate> parse(byte[] encoded) {
        try {
            Collection<? extends java.security.cert.Certificate> all =
                    factory().generateCertificates(new ByteArrayInputStream(encoded));
            return all.stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw Reason.MALFORMED.error("certificate does not parse");
        }
    }

    public static X509Certificate parseOne(byte[] encoded) {
        List<X509Certificate> all = parse(encoded);
        if (all.size() != 1) {
            throw Reason.MALFORMED.error("expected one certificate, found " + all.size());
        }
        return all.get(0);
    }

    public static X509CRL parseCrl(byte[] encoded) {
        try {
            return (X509CRL) factory().generateCRL(new ByteArrayInputStream(encoded));
        } catch (CRLException | CertificateException e) {
            throw Reason.MALFORMED.error("CRL does not parse");
        }
    }

    /** Lower-case hex SHA-256 of the DER encoding: how roots are pinned. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String commonName(X500Principal name) {
        try {
            for (Rdn rdn : new LdapName(name.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return "";
        } catch (InvalidNameException e) {
            return "";
        }
    }

    /** The first candidate whose subject is {@code child}'s issuer and whose key verifies it. */
    static Optional<X509Certificate> issuerOf(X509Certificate child, List<X509Certificate> candidates) {
        return candidates.stream()
                .filter(c -> c.getSubjectX500Principal().equals(child.getIssuerX500Principal()))
                .filter(c -> signedBy(child, c.getPublicKey()))
                .findFirst();
    }

    static boolean hasIssuerNamed(X509Certificate child, List<X509Certificate> candidates) {
        return candidates.stream()
                .anyMatch(c -> c.getSubjectX500Principal().equals(child.getIssuerX500Principal()));
    }

    static boolean signedBy(X509Certificate certificate, PublicKey key) {
        try {
            certificate.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static boolean isValidAt(X509Certificate certificate, Instant at) {
        try {
            certificate.checkValidity(Date.from(at));
            return true;
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            return false;
        }
    }

    static void requireValid(X509Certificate certificate, Instant at, String role) {
        try {
            certificate.checkValidity(Date.from(at));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw Reason.CERT_EXPIRED.error(role + " certificate is not valid at " + at);
        }
    }

    /**
     * Refuses {@code certificate} if a CRL issued by {@code issuer} lists it. CRLs from other
     * issuers are ignored; a CRL with a bad signature or past its next update is refused.
     */
    static void requireNotRevoked(X509Certificate certificate, X509Certificate issuer, List<X509CRL> crls,
                                  Instant at, String role) {
        for (X509CRL crl : crls) {
            if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                continue;
            }
            try {
                crl.verify(issuer.getPublicKey());
            } catch (GeneralSecurityException | RuntimeException e) {
                throw Reason.COLLATERAL_INVALID.error("CRL of " + commonName(issuer.getSubjectX500Principal())
                        + " has a bad signature");
            }
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(at)) {
                throw Reason.COLLATERAL_STALE.error("CRL of " + commonName(issuer.getSubjectX500Principal())
                        + " expired " + crl.getNextUpdate().toInstant());
            }
            if (crl.isRevoked(certificate)) {
                throw Reason.REVOKED.error(role + " certificate is revoked");
            }
        }
    }

    private static CertificateFactory factory() throws CertificateException {
        return CertificateFactory.getInstance("X.509");
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
