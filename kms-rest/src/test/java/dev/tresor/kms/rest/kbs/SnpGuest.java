package dev.tresor.kms.rest.kbs;

import dev.tresor.kms.attest.SnpCertTable;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The guest's SNP attester as CoCo runs it: a report from the (simulated) platform carrying the
 * KBS report data, sent as virtee's serde form of the report ({@code attestation_report}, byte
 * arrays as JSON numbers, TCBs as objects, r/s 72-byte little-endian) with the certificate chain.
 */
final class SnpGuest {
    private final SimulatedSnp platform;

    SnpGuest(SimulatedSnp platform) {
        this.platform = platform;
    }

    JsonObject evidence(byte[] reportData) {
        byte[] report = platform.report(reportData);
        JsonObject abi = new JsonObject()
                .put("version", u32(report, 0x00)).put("guest_svn", u32(report, 0x04))
                .put("policy", u64(report, 0x08)).put("family_id", bytes(report, 0x10, 16))
                .put("image_id", bytes(report, 0x20, 16)).put("vmpl", u32(report, 0x30))
                .put("sig_algo", u32(report, 0x34)).put("current_tcb", tcb(report, 0x38))
                .put("plat_info", u64(report, 0x40)).put("key_info", u32(report, 0x48))
                .put("report_data", bytes(report, 0x50, 64)).put("measurement", bytes(report, 0x90, 48))
                .put("host_data", bytes(report, 0xC0, 32)).put("id_key_digest", bytes(report, 0xE0, 48))
                .put("author_key_digest", bytes(report, 0x110, 48)).put("report_id", bytes(report, 0x140, 32))
                .put("report_id_ma", bytes(report, 0x160, 32)).put("reported_tcb", tcb(report, 0x180))
                .put("cpuid_fam_id", report[0x188] & 0xFF).put("cpuid_mod_id", report[0x189] & 0xFF)
                .put("cpuid_step", report[0x18A] & 0xFF).put("chip_id", bytes(report, 0x1A0, 64))
                .put("committed_tcb", tcb(report, 0x1E0))
                .put("current_build", report[0x1E8] & 0xFF).put("current_minor", report[0x1E9] & 0xFF)
                .put("current_major", report[0x1EA] & 0xFF).put("committed_build", report[0x1EC] & 0xFF)
                .put("committed_minor", report[0x1ED] & 0xFF).put("committed_major", report[0x1EE] & 0xFF)
                .put("launch_tcb", tcb(report, 0x1F0))
                .put("signature", new JsonObject().put("r", bytes(report, 0x2A0, 72)).put("s", bytes(report, 0x2E8, 72)));
        JsonArray chain = new JsonArray();
        for (X509Certificate certificate : SnpCertTable.parse(platform.certificateTable())) {
            String name = certificate.getSubjectX500Principal().getName();
            String type = name.contains("VCEK") ? "VCEK" : name.contains("ASK") ? "ASK" : "ARK";
            chain.add(new JsonObject().put("cert_type", type).put("data", der(certificate)));
        }
        return new JsonObject().put("attestation_report", abi).put("cert_chain", chain);
    }

    /** Milan layout: bootloader, tee, 4 reserved, snp, microcode. */
    private static JsonObject tcb(byte[] report, int offset) {
        return new JsonObject().put("bootloader", report[offset] & 0xFF).put("tee", report[offset + 1] & 0xFF)
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

    private static JsonArray bytes(byte[] report, int offset, int length) {
        return numbers(Arrays.copyOfRange(report, offset, offset + length));
    }

    private static JsonArray der(X509Certificate certificate) {
        try {
            return numbers(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonArray numbers(byte[] bytes) {
        JsonArray array = new JsonArray();
        for (byte b : bytes) {
            array.add(b & 0xFF);
        }
        return array;
    }
}
