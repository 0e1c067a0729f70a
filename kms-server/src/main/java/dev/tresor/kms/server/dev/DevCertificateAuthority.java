package dev.tresor.kms.server.dev;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemGenerationException;

/**
 * The certificate authority of a dev server: it signs the HTTPS and KMIP server certificates
 * (valid for localhost, 127.0.0.1 and ::1) and the dev KMIP client certificate. EC P-256 keys,
 * so a first start does not wait for RSA key generation.
 */
final class DevCertificateAuthority {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration LEAF_LIFETIME = Duration.ofDays(825);
    /** Tolerates a client clock that runs a little behind the server's. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final List<GeneralName> LOCAL_NAMES = List.of(
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1"));

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Issued ca;

    private DevCertificateAuthority(Clock clock, Issued ca) {
        this.clock = clock;
        this.ca = ca;
    }

    static DevCertificateAuthority create(Clock clock) {
        KeyPair keys = generateKeyPair();
        X500Name name = new X500Name("CN=Tresor dev CA");
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(new SecureRandom()),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_LIFETIME)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new DevCertificateAuthority(clock, new Issued(sign(builder, keys.getPrivate()), keys.getPrivate()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the dev CA", e);
        }
    }

    static DevCertificateAuthority load(Clock clock, Path certificate, Path privateKey) {
        return new DevCertificateAuthority(clock, Issued.read(certificate, privateKey));
    }

    X509Certificate certificate() {
        return ca.certificate();
    }

    void write(Path certificate, Path privateKey) {
        ca.write(certificate, privateKey);
    }

    Issued issueServer(String commonName) {
        return issue(commonName, KeyPurposeId.id_kp_serverAuth, true);
    }

    Issued issueClient(String commonName) {
        return issue(commonName, KeyPurposeId.id_kp_clientAuth, false);
    }

    private Issued issue(String commonName, KeyPurposeId purpose, boolean localNames) {
        KeyPair keys = generateKeyPair();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(random),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(LEAF_LIFETIME)),
                    new X500Name("CN=" + commonName), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(ca.certificate()));
            if (localNames) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(LOCAL_NAMES.toArray(GeneralName[]::new)));
            }
            return new Issued(sign(builder, ca.privateKey()), keys.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue the dev certificate " + commonName, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            X509CertificateHolder holder = builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(signer));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 key generation is unavailable", e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    /** A certificate with its private key, stored as PEM (the key as unencrypted PKCS#8, owner-only). */
    record Issued(X509Certificate certificate, PrivateKey privateKey) {
        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal() + ", key ***]";
        }

        void write(Path certificatePath, Path privateKeyPath) {
            DevFiles.writePublic(certificatePath, pem(certificate));
            try {
                DevFiles.writePrivate(privateKeyPath, pem(new JcaPKCS8Generator(privateKey, null)));
            } catch (PemGenerationException e) {
                throw new IllegalStateException("cannot encode the private key of " + certificatePath, e);
            }
        }

        static Issued read(Path certificatePath, Path privateKeyPath) {
            try (Reader certReader = Files.newBufferedReader(certificatePath);
                 PEMParser certParser = new PEMParser(certReader);
                 Reader keyReader = Files.newBufferedReader(privateKeyPath);
                 PEMParser keyParser = new PEMParser(keyReader)) {
                if (!(certParser.readObject() instanceof X509CertificateHolder holder)) {
                    throw new IllegalStateException(certificatePath + " holds no PEM certificate");
                }
                if (!(keyParser.readObject() instanceof PrivateKeyInfo keyInfo)) {
                    throw new IllegalStateException(privateKeyPath + " holds no PEM PKCS#8 private key");
                }
                return new Issued(new JcaX509CertificateConverter().getCertificate(holder),
                        new JcaPEMKeyConverter().getPrivateKey(keyInfo));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + certificatePath + " / " + privateKeyPath, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot decode " + certificatePath, e);
            }
        }

        private static String pem(Object object) {
            StringWriter text = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
                writer.writeObject(object);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return text.toString();
        }
    }
}
