package dev.tresor.kms.attest;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies AMD SEV-SNP attestation reports: structure, VCEK/VLEK profile, chain to the ASK/ASVK
 * and the pinned ARK, validity and CRLs, the report signature, reported TCB against the
 * certificate SPLs, chip id against hwID and the binding. A chain ending at the configured
 * simulated ARK yields {@code tee=sim-snp, simulated=true}.
 */
public final class SnpVerifier implements EvidenceVerifier {
    private static final String[] POLICY_FLAGS = {
        "smt", null, "migrate_ma", "debug", "single_socket", "cxl_allowed", "mem_aes_256_xts", "rapl_dis",
        "ciphertext_hiding", "page_swap_disable"};
    private static final String[] PLATFORM_FLAGS = {
        "smt_en", "tsme_en", "ecc_en", "rapl_dis", "ciphertext_hiding_en", "alias_check_complete", null, "tio_en"};

    private final AttestationTrust trust;
    private final Clock clock;

    public SnpVerifier(AttestationTrust trust, Clock clock) {
        this.trust = Objects.requireNonNull(trust);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public AttestationResult verify(byte[] evidence, VerificationInputs inputs) {
        SnpEvidence decoded = SnpEvidence.decode(evidence);
        Claims claims = verifyReport(decoded.report().toArray(), inputs.withCertificates(decoded.certificates()));
        return new AttestationResult((String) claims.asMap().get("tee"), claims.asMap());
    }

    /** Verifies one report and returns its claims (also used for the Azure vTPM composite). */
    Claims verifyReport(byte[] reportBytes, VerificationInputs inputs) {
        SnpReport report = SnpReport.parse(reportBytes);
        Instant now = clock.instant();
        boolean vlek = report.signingKey() == SnpReport.SIGNING_KEY_VLEK;
        List<X509Certificate> candidates = new ArrayList<>(inputs.certificates());
        candidates.addAll(trust.amdCertificates());
        trust.simulatedArk().ifPresent(candidates::add);

        AmdEndorsement endorsement = endorsement(candidates, vlek);
        boolean simulated = endorsement.issuerName().startsWith("SIM-");
        SnpProduct product = product(report, endorsement, simulated);
        endorsement.requireProfile(vlek ? "VLEK" : "VCEK");
        Chain chain = chain(endorsement, candidates, product, simulated, vlek);
        Certificates.requireValid(chain.ark, now, "ARK");
        Certificates.requireValid(chain.ask, now, vlek ? "ASVK" : "ASK");
        Certificates.requireValid(endorsement.certificate(), now, vlek ? "VLEK" : "VCEK");
        Certificates.requireNotRevoked(chain.ask, chain.ark, inputs.crls(), now, vlek ? "ASVK" : "ASK");

        requireSignature(report, endorsement.certificate());
        requireTcbMatches(report, endorsement, product);
        if (!vlek) {
            requireChipId(report, endorsement, product);
        }
        boolean bound = inputs.requireBinding(report.reportData(), "report_data");
        return claims(report, product, endorsement, simulated, bound, now);
    }

    private static AmdEndorsement endorsement(List<X509Certificate> candidates, boolean vlek) {
        String wanted = vlek ? "SEV-VLEK" : "SEV-VCEK";
        return candidates.stream()
                .filter(c -> {
                    String cn = Certificates.commonName(c.getSubjectX500Principal());
                    return cn.equals(wanted) || !vlek && cn.equals("SIM-VCEK");
                })
                .findFirst()
                .map(AmdEndorsement::new)
                .orElseThrow(() -> Reason.CHAIN_INVALID.error("no " + wanted.substring(4)
                        + " certificate was given with the report"));
    }

    private static SnpProduct product(SnpReport report, AmdEndorsement endorsement, boolean simulated) {
        Optional<SnpProduct> fromCpuid = report.version() >= 3
                ? SnpProduct.fromCpuid(report.cpuidFamily(), report.cpuidModel()) : Optional.empty();
        if (simulated) {
            return fromCpuid.orElseThrow(() -> Reason.UNSUPPORTED_FORMAT.error(
                    "simulated report names no known CPU"));
        }
        Optional<SnpProduct> fromIssuer = SnpProduct.fromIssuer(endorsement.issuerName());
        if (fromCpuid.isPresent() && fromIssuer.isPresent() && fromCpuid.get() != fromIssuer.get()) {
            throw Reason.CHAIN_INVALID.error("report CPU is " + fromCpuid.get().displayName()
                    + " but the endorsement key is issued by " + endorsement.issuerName());
        }
        return fromCpuid.or(() -> fromIssuer).orElseThrow(() -> Reason.UNSUPPORTED_FORMAT.error(
                "unknown SNP product (issuer " + endorsement.issuerName() + ")"));
    }

    private record Chain(X509Certificate ask, X509Certificate ark) {
    }

    private Chain chain(AmdEndorsement endorsement, List<X509Certificate> candidates, SnpProduct product,
                        boolean simulated, boolean vlek) {
        String askRole = vlek ? "ASVK" : "ASK";
        X509Certificate leaf = endorsement.certificate();
        if (!Certificates.hasIssuerNamed(leaf, candidates)) {
            throw Reason.CHAIN_INVALID.error("no " + askRole + " named " + endorsement.issuerName() + " was given");
        }
        X509Certificate ask = Certificates.issuerOf(leaf, candidates).orElseThrow(() -> Reason.CHAIN_INVALID.error(
                (vlek ? "VLEK" : "VCEK") + " is not signed by " + endorsement.issuerName()));
        AmdEndorsement.requirePss(ask, askRole);
        if (!Certificates.hasIssuerNamed(ask, candidates)) {
            throw Reason.UNTRUSTED_ROOT.error("no ARK for " + endorsement.issuerName() + " was given");
        }
        X509Certificate ark = Certificates.issuerOf(ask, candidates).orElseThrow(() -> Reason.CHAIN_INVALID.error(
                askRole + " is not signed by its ARK"));
        AmdEndorsement.requirePss(ark, "ARK");
        if (!Certificates.signedBy(ark, ark.getPublicKey())) {
            throw Reason.CHAIN_INVALID.error("ARK is not self-signed");
        }
        String fingerprint = Certificates.fingerprint(ark);
        String pinned = simulated
                ? trust.simulatedArk().map(Certificates::fingerprint).orElse("")
                : trust.arkFingerprints().getOrDefault(product, "");
        if (!MessageDigest.isEqual(fingerprint.getBytes(), pinned.getBytes())) {
            throw Reason.UNTRUSTED_ROOT.error("ARK " + fingerprint + " is not the pinned "
                    + (simulated ? "simulated" : product.displayName()) + " root");
        }
        return new Chain(ask, ark);
    }

    private static void requireSignature(SnpReport report, X509Certificate endorsement) {
        byte[] rs = new byte[96];
        if (!littleEndianInto(report.signatureR(), rs, 0) || !littleEndianInto(report.signatureS(), rs, 48)) {
            throw Reason.SIGNATURE_INVALID.error("report signature component is out of range");
        }
        try {
            Signature verifier = Signature.getInstance("SHA384withECDSAinP1363Format");
            verifier.initVerify(endorsement.getPublicKey());
            verifier.update(report.signedBytes());
            if (verifier.verify(rs)) {
                return;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // a malformed signature is just an invalid one
        }
        throw Reason.SIGNATURE_INVALID.error("report signature does not verify under the endorsement key");
    }

    /** Copies a 72-byte little-endian integer into 48 big-endian bytes; false if it does not fit. */
    private static boolean littleEndianInto(byte[] le, byte[] out, int offset) {
        for (int i = 48; i < le.length; i++) {
            if (le[i] != 0) {
                return false;
            }
        }
        for (int i = 0; i < 48; i++) {
            out[offset + i] = le[47 - i];
        }
        return true;
    }

    private static void requireTcbMatches(SnpReport report, AmdEndorsement endorsement, SnpProduct product) {
        SnpTcb reported = product.decodeTcb(report.reportedTcb());
        compareSpl(endorsement.spl(1), reported.bootloader(), "bootloader");
        compareSpl(endorsement.spl(2), reported.tee(), "tee");
        compareSpl(endorsement.spl(3), reported.snp(), "snp");
        compareSpl(endorsement.spl(8), reported.microcode(), "microcode");
        if (product == SnpProduct.TURIN) {
            compareSpl(endorsement.spl(9), reported.fmc().orElse(0), "fmc");
        }
    }

    private static void compareSpl(AmdEndorsement.OptionalSpl spl, int reported, String name) {
        if (!spl.present()) {
            throw Reason.TCB_MISMATCH.error("endorsement key has no " + name + " SPL");
        }
        if (spl.value() != reported) {
            throw Reason.TCB_MISMATCH.error("reported_tcb." + name);
        }
    }

    private static void requireChipId(SnpReport report, AmdEndorsement endorsement, SnpProduct product) {
        byte[] chipId = report.chipId();
        if (Arrays.equals(chipId, new byte[chipId.length])) {
            return;
        }
        byte[] hwId = endorsement.hwId().orElseThrow(() -> Reason.CHIP_ID_MISMATCH.error("VCEK has no hwID"));
        byte[] compared = product == SnpProduct.TURIN ? Arrays.copyOf(chipId, 8) : chipId;
        if (!MessageDigest.isEqual(compared, hwId)) {
            throw Reason.CHIP_ID_MISMATCH.error("chip_id differs from the VCEK hwID");
        }
    }

    private static Claims claims(SnpReport report, SnpProduct product, AmdEndorsement endorsement,
                                 boolean simulated, boolean bound, Instant now) {
        Claims claims = new Claims()
                .put("tee", simulated ? "sim-snp" : "snp")
                .put("simulated", simulated)
                .put("verified_at", now.toString())
                .put("bound", bound)
                .put("snp.version", report.version())
                .put("snp.product", product.displayName())
                .put("snp.guest_svn", report.guestSvn())
                .put("snp.vmpl", report.vmpl())
                .hex("snp.measurement", report.measurement())
                .hex("snp.host_data", report.hostData())
                .hex("snp.family_id", report.familyId())
                .hex("snp.image_id", report.imageId())
                .hex("snp.id_key_digest", report.idKeyDigest())
                .hex("snp.author_key_digest", report.authorKeyDigest())
                .hex("snp.report_id", report.reportId())
                .hex("snp.report_id_ma", report.reportIdMa())
                .hex("snp.report_data", report.reportData())
                .hex("snp.chip_id", report.chipId())
                .put("snp.signing_key", endorsement.isVlek() ? "VLEK" : "VCEK")
                .put("snp.author_key_en", (report.signerInfo() & 1) != 0)
                .put("snp.mask_chip_key", (report.signerInfo() & 2) != 0);
        endorsement.cspId().ifPresent(csp -> claims.put("snp.vlek.csp_id", csp));
        endorsement.productName().ifPresent(name -> claims.put("snp.endorsement.product_name", name));
        String[] spls = {"bootloader", "tee", "snp", "microcode", "fmc"};
        int[] components = {1, 2, 3, 8, 9};
        for (int i = 0; i < spls.length; i++) {
            AmdEndorsement.OptionalSpl spl = endorsement.spl(components[i]);
            if (spl.present()) {
                claims.put("snp.endorsement_tcb." + spls[i], spl.value());
            }
        }
        long policy = report.policy();
        claims.put("snp.policy", policy)
                .put("snp.policy.abi_minor", policy & 0xFF)
                .put("snp.policy.abi_major", (policy >>> 8) & 0xFF);
        for (int i = 0; i < POLICY_FLAGS.length; i++) {
            if (POLICY_FLAGS[i] != null) {
                claims.put("snp.policy." + POLICY_FLAGS[i], (policy >>> (16 + i) & 1) != 0);
            }
        }
        long platform = report.platformInfo();
        claims.put("snp.platform_info", platform);
        for (int i = 0; i < PLATFORM_FLAGS.length; i++) {
            if (PLATFORM_FLAGS[i] != null) {
                claims.put("snp.platform_info." + PLATFORM_FLAGS[i], (platform >>> i & 1) != 0);
            }
        }
        product.decodeTcb(report.reportedTcb()).addTo(claims, "snp.reported_tcb");
        product.decodeTcb(report.currentTcb()).addTo(claims, "snp.current_tcb");
        product.decodeTcb(report.committedTcb()).addTo(claims, "snp.committed_tcb");
        product.decodeTcb(report.launchTcb()).addTo(claims, "snp.launch_tcb");
        int[] current = report.firmware(0x1E8);
        int[] committed = report.firmware(0x1EC);
        claims.put("snp.firmware.build", current[0]).put("snp.firmware.minor", current[1])
                .put("snp.firmware.major", current[2])
                .put("snp.committed_firmware.build", committed[0]).put("snp.committed_firmware.minor", committed[1])
                .put("snp.committed_firmware.major", committed[2]);
        if (report.version() >= 3) {
            claims.put("snp.cpuid.family", report.cpuidFamily()).put("snp.cpuid.model", report.cpuidModel())
                    .put("snp.cpuid.stepping", report.cpuidStepping());
        }
        if (report.version() >= 5) {
            claims.put("snp.launch_mit_vector", report.launchMitigationVector())
                    .put("snp.current_mit_vector", report.currentMitigationVector());
        }
        return claims;
    }
}
