package dev.tresor.kms.attest.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Every claim name a verifier can produce, with its type; policies naming anything else are refused. */
final class ClaimCatalog {
    private static final Map<String, ClaimType> EXACT = build();
    private static final Pattern PCR = Pattern.compile("tpm\\.pcr\\.(?:(sha1|sha384|sha512)\\.)?(\\d{1,2})");
    private static final List<String> BOOLEAN_FAMILIES = List.of("tdx.advisory.", "snp.platform_info.");
    private static final List<String> FREE_FAMILIES = List.of("token.", "az.vm_configuration.");

    private ClaimCatalog() {
    }

    static Optional<ClaimType> lookup(String name) {
        ClaimType exact = EXACT.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        Matcher pcr = PCR.matcher(name);
        if (pcr.matches() && Integer.parseInt(pcr.group(2)) < 24) {
            String bank = pcr.group(1);
            return Optional.of(ClaimType.hex(bank == null ? 32 : switch (bank) {
                case "sha1" -> 20;
                case "sha384" -> 48;
                default -> 64;
            }));
        }
        if (name.startsWith("ear.tv.") && name.length() > 7) {
            return Optional.of(ClaimType.INTEGER);
        }
        for (String family : BOOLEAN_FAMILIES) {
            if (name.startsWith(family) && name.length() > family.length()) {
                return Optional.of(ClaimType.BOOLEAN);
            }
        }
        for (String family : FREE_FAMILIES) {
            if (name.startsWith(family) && name.length() > family.length()) {
                return Optional.of(ClaimType.ANY);
            }
        }
        return Optional.empty();
    }

    private static Map<String, ClaimType> build() {
        Map<String, ClaimType> m = new HashMap<>();
        for (String s : List.of("tee", "verified_at", "authority", "snp.product", "snp.signing_key", "snp.vlek.csp_id",
                "snp.endorsement.product_name",
                "tdx.body", "tdx.tcb_date", "tdx.tcb_status", "tdx.tcb_status.platform", "tdx.tcb_status.module",
                "tdx.tcb_status.qe", "ear.status")) {
            m.put(s, ClaimType.STRING);
        }
        for (String b : List.of("simulated", "bound", "snp.author_key_en", "snp.mask_chip_key", "tdx.collateral",
                "tdx.ccel", "tpm.event_log")) {
            m.put(b, ClaimType.BOOLEAN);
        }
        for (String flag : List.of("smt", "migrate_ma", "debug", "single_socket", "cxl_allowed", "mem_aes_256_xts",
                "rapl_dis", "ciphertext_hiding", "page_swap_disable")) {
            m.put("snp.policy." + flag, ClaimType.BOOLEAN);
        }
        for (String flag : List.of("debug", "sept_ve_disable", "pks", "kl", "perfmon")) {
            m.put("tdx.td_attributes." + flag, ClaimType.BOOLEAN);
        }
        for (String i : List.of("snp.version", "snp.guest_svn", "snp.vmpl", "snp.policy", "snp.policy.abi_major",
                "snp.policy.abi_minor", "snp.platform_info", "snp.launch_mit_vector", "snp.current_mit_vector",
                "tdx.version", "tdx.pce_svn", "tdx.qe.isvsvn", "tdx.qe.isvprodid", "tdx.trailing_bytes",
                "tdx.tcb_evaluation_data_number", "tpm.clock", "tpm.reset_count", "tpm.restart_count",
                "tpm.firmware_version")) {
            m.put(i, ClaimType.INTEGER);
        }
        for (String tcb : List.of("reported", "current", "committed", "launch", "endorsement")) {
            for (String part : List.of("fmc", "bootloader", "tee", "snp", "microcode")) {
                m.put("snp." + tcb + "_tcb." + part, ClaimType.INTEGER);
            }
        }
        for (String part : List.of("major", "minor", "build")) {
            m.put("snp.firmware." + part, ClaimType.INTEGER);
            m.put("snp.committed_firmware." + part, ClaimType.INTEGER);
        }
        for (String part : List.of("family", "model", "stepping")) {
            m.put("snp.cpuid." + part, ClaimType.INTEGER);
        }
        hex(m, 48, "snp.measurement", "snp.id_key_digest", "snp.author_key_digest", "tdx.mrtd", "tdx.rtmr0",
                "tdx.rtmr1", "tdx.rtmr2", "tdx.rtmr3", "tdx.mrconfigid", "tdx.mrowner", "tdx.mrownerconfig",
                "tdx.mrseam", "tdx.mrsignerseam", "tdx.mrservicetd");
        hex(m, 32, "snp.host_data", "snp.report_id", "snp.report_id_ma", "tdx.qe.mrenclave", "tdx.qe.mrsigner",
                "tpm.ak.sha256");
        hex(m, 16, "snp.family_id", "snp.image_id", "tdx.tee_tcb_svn", "tdx.tee_tcb_svn2");
        hex(m, 64, "snp.chip_id", "snp.report_data", "tdx.report_data");
        hex(m, 8, "tdx.xfam", "tdx.seam_attributes", "tdx.td_attributes");
        hex(m, 6, "tdx.fmspc");
        hex(m, 2, "tdx.pce_id");
        hex(m, 0, "tpm.nonce", "tpm.qualified_signer");
        return Map.copyOf(m);
    }

    private static void hex(Map<String, ClaimType> m, int bytes, String... names) {
        for (String name : names) {
            m.put(name, ClaimType.hex(bytes));
        }
    }
}
