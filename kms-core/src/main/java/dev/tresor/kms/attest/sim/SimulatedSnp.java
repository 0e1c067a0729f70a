package dev.tresor.kms.attest.sim;

import dev.tresor.kms.attest.SnpCertTable;
import dev.tresor.kms.attest.SnpProduct;
import dev.tresor.kms.service.Bytes;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A simulated SEV-SNP platform for tests and demos: RSA-3072 {@code SIM-ARK-Tresor} signs
 * {@code SIM-ASK} (RSASSA-PSS SHA-384, salt 48), which signs an EC P-384 {@code SIM-VCEK}
 * carrying AMD's SPL and hwID extensions, so production parsing runs unchanged. Reports are
 * v3, Milan or Turin layout. Keys live in this object only; verifiers accept its reports only
 * when configuration pins {@link #ark()} as the simulated root.
 */
public final class SimulatedSnp {
    private static final String AMD = "1.3.6.1.4.1.3704.1.";
    private static final int LENGTH = 0x4A0;

    /** What the simulated guest was launched with. */
    public record Launch(SnpProduct product, Bytes measurement, Bytes hostData, Bytes chipId, int vmpl, long policy,
                         int bootloader, int tee, int snp, int microcode, int fmc) {
        public Launch {
            Objects.requireNonNull(product);
            if (product == SnpProduct.GENOA) {
                throw new IllegalArgumentException("the simulator has Milan and Turin layouts only");
            }
            if (measurement.length() != 48 || hostData.length() != 32 || chipId.length() != 64) {
                throw new IllegalArgumentException("measurement, host_data and chip_id must be 48, 32 and 64 bytes");
            }
            if ((policy & (1L << 17)) == 0) {
                throw new IllegalArgumentException("SNP policy bit 17 must be set");
            }
        }

        /** A Milan guest with measurement {@code measurement}, VMPL 0, policy 0x30000 and a plausible TCB. */
        public static Launch milan(Bytes measurement) {
            return new Launch(SnpProduct.MILAN, measurement, Bytes.of(new byte[32]), Bytes.of(chip()), 0, 0x30000L,
                    4, 0, 22, 213, 0);
        }

        public Launch withProduct(SnpProduct other) {
            return new Launch(other, measurement, hostData, chipId, vmpl, policy, bootloader, tee, snp, microcode, fmc);
        }

        public Launch withPolicy(long other) {
            return new Launch(product, measurement, hostData, chipId, vmpl, other, bootloader, tee, snp, microcode, fmc);
        }

        public Launch withMeasurement(Bytes other) {
            return new Launch(product, other, hostData, chipId, vmpl, policy, bootloader, tee, snp, microcode, fmc);
        }

        public Launch withHostData(Bytes other) {
            return new Launch(product, measurement, other, chipId, vmpl, policy, bootloader, tee, snp, microcode, fmc);
        }

        private static byte[] chip() {
            byte[] id = new byte[64];
            for (int i = 0; i < id.length; i++) {
                id[i] = (byte) (0xA0 + i);
            }
            return id;
        }

        long tcb() {
            int[] b = new int[8];
            if (product == SnpProduct.TURIN) {
                b[0] = fmc;
                b[1] = bootloader;
                b[2] = tee;
                b[3] = snp;
            } else {
                b[0] = bootloader;
                b[1] = tee;
                b[6] = snp;
            }
            b[7] = microcode;
            long raw = 0;
            for (int i = 7; i >= 0; i--) {
                raw = (raw << 8) | b[i];
            }
            return raw;
        }
    }

    private final Launch launch;
    private final X509Certificate ark;
    private final X509Certificate ask;
    private final X509Certificate vcek;
    private final PrivateKey vcekKey;

    private SimulatedSnp(Launch launch, X509Certificate ark, X509Certificate ask, X509Certificate vcek,
                         PrivateKey vcekKey) {
        this.launch = launch;
        this.ark = ark;
        this.ask = ask;
        this.vcek = vcek;
        this.vcekKey = vcekKey;
    }

    /** A fresh simulated platform: new ARK, ASK and VCEK keys, certificates valid from {@code now} for a year. */
    public static SimulatedSnp create(Launch launch, Instant now, SecureRandom random) {
        try {
            BouncyCastleProvider bc = new BouncyCastleProvider();
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(3072, random);
            KeyPair arkKeys = rsa.generateKeyPair();
            KeyPair askKeys = rsa.generateKeyPair();
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp384r1"), random);
            KeyPair vcekKeys = ec.generateKeyPair();
            X500Name arkName = name("SIM-ARK-Tresor");
            X500Name askName = name("SIM-ASK");
            Date from = Date.from(now.minus(Duration.ofMinutes(5)));
            Date to = Date.from(now.plus(Duration.ofDays(365)));
            JcaContentSignerBuilder pss = new JcaContentSignerBuilder("SHA384withRSAandMGF1").setProvider(bc);
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(bc);

            JcaX509v3CertificateBuilder arkBuilder = new JcaX509v3CertificateBuilder(arkName, BigInteger.ONE, from, to,
                    arkName, arkKeys.getPublic());
            arkBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            X509Certificate ark = converter.getCertificate(arkBuilder.build(pss.build(arkKeys.getPrivate())));

            JcaX509v3CertificateBuilder askBuilder = new JcaX509v3CertificateBuilder(arkName, BigInteger.TWO, from, to,
                    askName, askKeys.getPublic());
            askBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            X509Certificate ask = converter.getCertificate(askBuilder.build(pss.build(arkKeys.getPrivate())));

            JcaX509v3CertificateBuilder vcekBuilder = new JcaX509v3CertificateBuilder(askName, BigInteger.ZERO, from, to,
                    name("SIM-VCEK"), vcekKeys.getPublic());
            addAmdExtensions(vcekBuilder, launch);
            X509Certificate vcek = converter.getCertificate(vcekBuilder.build(pss.build(askKeys.getPrivate())));
            return new SimulatedSnp(launch, ark, ask, vcek, vcekKeys.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot create the simulated SNP platform", e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500Name("CN=" + commonName + ", O=Tresor Simulated TEE");
    }

    private static void addAmdExtensions(JcaX509v3CertificateBuilder builder, Launch launch) throws CertIOException {
        boolean turin = launch.product() == SnpProduct.TURIN;
        builder.addExtension(new ASN1ObjectIdentifier(AMD + "1"), false, new ASN1Integer(turin ? 1 : 0));
        builder.addExtension(new ASN1ObjectIdentifier(AMD + "2"), false, new DERIA5String(launch.product().displayName()));
        builder.addExtension(new ASN1ObjectIdentifier(AMD + "3.1"), false, new ASN1Integer(launch.bootloader()));
        builder.addExtension(new ASN1ObjectIdentifier(AMD + "3.2"), false, new ASN1Integer(launch.tee()));
        builder.addExtension(new ASN1ObjectIdentifier(AMD + "3.3"), false, new ASN1Integer(launch.snp()));
        builder.addExtension(new ASN1ObjectIdentifier(AMD + "3.8"), false, new ASN1Integer(launch.microcode()));
        if (turin) {
            builder.addExtension(new ASN1ObjectIdentifier(AMD + "3.9"), false, new ASN1Integer(launch.fmc()));
        }
        byte[] chip = launch.chipId().toArray();
        byte[] hwId = turin ? Arrays.copyOf(chip, 8) : chip;
        builder.addExtension(new ASN1ObjectIdentifier(AMD + "4"), false, new DEROctetString(hwId));
    }

    /** The launch this platform's reports describe. */
    public Launch launch() {
        return launch;
    }

    /**
     * The same platform (same chain and VCEK) running another guest: measurement, host data,
     * VMPL and policy may differ; product, chip id and TCB are in the VCEK and must not.
     */
    public SimulatedSnp relaunched(Launch guest) {
        if (guest.product() != launch.product() || !guest.chipId().equals(launch.chipId()) || guest.tcb() != launch.tcb()) {
            throw new IllegalArgumentException("product, chip id and TCB are fixed by the simulated VCEK");
        }
        return new SimulatedSnp(guest, ark, ask, vcek, vcekKey);
    }

    /** The root a dev configuration pins as the simulated ARK. */
    public X509Certificate ark() {
        return ark;
    }

    /** The auxblob an SNP guest reads next to its report: VCEK, ASK and ARK in a certificate table. */
    public byte[] certificateTable() {
        Map<UUID, X509Certificate> table = new LinkedHashMap<>();
        table.put(SnpCertTable.VCEK, vcek);
        table.put(SnpCertTable.ASK, ask);
        table.put(SnpCertTable.ARK, ark);
        return SnpCertTable.build(table);
    }

    /** A signed v3 report carrying {@code reportData} (64 bytes). */
    public byte[] report(byte[] reportData) {
        if (reportData.length != 64) {
            throw new IllegalArgumentException("report data must be 64 bytes");
        }
        byte[] report = new byte[LENGTH];
        putLe(report, 0x00, 3, 4);
        putLe(report, 0x08, launch.policy(), 8);
        putLe(report, 0x30, launch.vmpl(), 4);
        putLe(report, 0x34, 1, 4);
        putLe(report, 0x38, launch.tcb(), 8);
        System.arraycopy(reportData, 0, report, 0x50, 64);
        System.arraycopy(launch.measurement().toArray(), 0, report, 0x90, 48);
        System.arraycopy(launch.hostData().toArray(), 0, report, 0xC0, 32);
        putLe(report, 0x180, launch.tcb(), 8);
        boolean turin = launch.product() == SnpProduct.TURIN;
        report[0x188] = (byte) (turin ? 0x1A : 0x19);
        report[0x189] = (byte) (turin ? 0x02 : 0x01);
        report[0x18A] = 1;
        System.arraycopy(launch.chipId().toArray(), 0, report, 0x1A0, 64);
        putLe(report, 0x1E0, launch.tcb(), 8);
        byte[] firmware = {0x10, 0x37, 0x01};
        System.arraycopy(firmware, 0, report, 0x1E8, 3);
        System.arraycopy(firmware, 0, report, 0x1EC, 3);
        putLe(report, 0x1F0, launch.tcb(), 8);
        byte[] rs = sign(Arrays.copyOf(report, 0x2A0));
        for (int i = 0; i < 48; i++) {
            report[0x2A0 + i] = rs[47 - i];
            report[0x2E8 + i] = rs[95 - i];
        }
        return report;
    }

    private byte[] sign(byte[] data) {
        try {
            Signature signer = Signature.getInstance("SHA384withECDSAinP1363Format");
            signer.initSign(vcekKey);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putLe(byte[] out, int at, long value, int width) {
        for (int i = 0; i < width; i++) {
            out[at + i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public String toString() {
        return "SimulatedSnp[" + launch.product().displayName() + "]";
    }
}
