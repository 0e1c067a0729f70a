package dev.tresor.kms.testing;

import dev.tresor.kms.attest.SnpCertTable;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The guest's SNP attester as CoCo runs it: a report from the (simulated) platform carrying the
 * KBS report data, sent as virtee's serde form of the report ({@code attestation_report}, byte
 * arrays as JSON numbers, TCBs as objects, r/s 72-byte little-endian) with the certificate chain.
 */
public final class SnpGuest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimulatedSnp platform;

    public SnpGuest(SimulatedSnp platform) {
        this.platform = platform;
    }

    public ObjectNode evidence(byte[] reportData) {
        byte[] report = platform.report(reportData);
        ObjectNode abi = JSON.createObjectNode();
        abi.put("version", u32(report, 0x00)).put("guest_svn", u32(report, 0x04)).put("policy", u64(report, 0x08));
        abi.set("family_id", bytes(report, 0x10, 16));
        abi.set("image_id", bytes(report, 0x20, 16));
        abi.put("vmpl", u32(report, 0x30)).put("sig_algo", u32(report, 0x34));
        abi.set("current_tcb", tcb(report, 0x38));
        abi.put("plat_info", u64(report, 0x40)).put("key_info", u32(report, 0x48));
        String[] names = {"report_data", "measurement", "host_data", "id_key_digest", "author_key_digest", "report_id",
            "report_id_ma"};
        int[][] places = {{0x50, 64}, {0x90, 48}, {0xC0, 32}, {0xE0, 48}, {0x110, 48}, {0x140, 32}, {0x160, 32}};
        for (int i = 0; i < names.length; i++) {
            abi.set(names[i], bytes(report, places[i][0], places[i][1]));
        }
        abi.set("reported_tcb", tcb(report, 0x180));
        abi.put("cpuid_fam_id", report[0x188] & 0xFF).put("cpuid_mod_id", report[0x189] & 0xFF)
                .put("cpuid_step", report[0x18A] & 0xFF);
        abi.set("chip_id", bytes(report, 0x1A0, 64));
        abi.set("committed_tcb", tcb(report, 0x1E0));
        abi.put("current_build", report[0x1E8] & 0xFF).put("current_minor", report[0x1E9] & 0xFF)
                .put("current_major", report[0x1EA] & 0xFF).put("committed_build", report[0x1EC] & 0xFF)
                .put("committed_minor", report[0x1ED] & 0xFF).put("committed_major", report[0x1EE] & 0xFF);
        abi.set("launch_tcb", tcb(report, 0x1F0));
        ObjectNode signature = abi.putObject("signature");
        signature.set("r", bytes(report, 0x2A0, 72));
        signature.set("s", bytes(report, 0x2E8, 72));
        ArrayNode chain = JSON.createArrayNode();
        for (X509Certificate certificate : SnpCertTable.parse(platform.certificateTable())) {
            String name = certificate.getSubjectX500Principal().getName();
            String type = name.contains("VCEK") ? "VCEK" : name.contains("ASK") ? "ASK" : "ARK";
            chain.addObject().put("cert_type", type).set("data", der(certificate));
        }
        ObjectNode evidence = JSON.createObjectNode();
        evidence.set("attestation_report", abi);
        evidence.set("cert_chain", chain);
        return evidence;
    }

    /** Milan layout: bootloader, tee, 4 reserved, snp, microcode. */
    private static ObjectNode tcb(byte[] report, int offset) {
        return JSON.createObjectNode().put("bootloader", report[offset] & 0xFF).put("tee", report[offset + 1] & 0xFF)
                .put("snp", report[offset + 6] & 0xFF).put("microcode", report[offset + 7] & 0xFF);
    }

    private static long u32(byte[] report, int offset) {
        return u64(report, offset) & 0xFFFF_FFFFL;
    }

    private static long u64(byte[] report, int offset) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = value << 8 | (report[offset + i] & 0xFF);
        }
        return value;
    }

    private static ArrayNode bytes(byte[] report, int offset, int length) {
        return numbers(Arrays.copyOfRange(report, offset, offset + length));
    }

    private static ArrayNode der(X509Certificate certificate) {
        try {
            return numbers(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ArrayNode numbers(byte[] bytes) {
        ArrayNode array = JSON.createArrayNode();
        for (byte b : bytes) {
            array.add(b & 0xFF);
        }
        return array;
    }
}
