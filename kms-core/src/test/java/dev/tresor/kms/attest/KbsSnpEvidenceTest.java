package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.service.KmsError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KbsSnpEvidenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ArrayNode array(byte[] report, int offset, int length) {
        ArrayNode out = JSON.createArrayNode();
        for (int i = offset; i < offset + length; i++) {
            out.add(report[i] & 0xFF);
        }
        return out;
    }

    private static ObjectNode tcb(byte[] report, int offset) {
        ObjectNode tcb = JSON.createObjectNode().put("bootloader", report[offset] & 0xFF).put("tee", report[offset + 1] & 0xFF);
        tcb.set("_reserved", array(report, offset + 2, 4));
        return tcb.put("snp", report[offset + 6] & 0xFF).put("microcode", report[offset + 7] & 0xFF);
    }

    /** virtee's serde form of a v2 report, in its field order, as KBS guests send it. */
    static byte[] virteeJson(byte[] report, byte[] vcekDer) throws Exception {
        ByteBuffer le = ByteBuffer.wrap(report).order(ByteOrder.LITTLE_ENDIAN);
        ObjectNode r = JSON.createObjectNode().put("version", le.getInt(0)).put("guest_svn", le.getInt(4))
                .put("policy", le.getLong(8));
        r.set("family_id", array(report, 0x10, 16));
        r.set("image_id", array(report, 0x20, 16));
        r.put("vmpl", le.getInt(0x30)).put("sig_algo", le.getInt(0x34));
        r.set("current_tcb", tcb(report, 0x38));
        r.put("plat_info", le.getLong(0x40)).put("_author_key_en", le.getInt(0x48)).put("_reserved_0", 0);
        for (Map.Entry<String, int[]> field : Map.of("report_data", new int[] {0x50, 64}, "measurement", new int[] {0x90, 48},
                "host_data", new int[] {0xC0, 32}, "id_key_digest", new int[] {0xE0, 48},
                "author_key_digest", new int[] {0x110, 48}, "report_id", new int[] {0x140, 32},
                "report_id_ma", new int[] {0x160, 32}, "chip_id", new int[] {0x1A0, 64}).entrySet()) {
            r.set(field.getKey(), array(report, field.getValue()[0], field.getValue()[1]));
        }
        r.set("reported_tcb", tcb(report, 0x180));
        r.set("_reserved_1", array(report, 0x188, 24));
        r.set("committed_tcb", tcb(report, 0x1E0));
        String[] versions = {"current_build", "current_minor", "current_major", "_reserved_2", "committed_build",
            "committed_minor", "committed_major", "_reserved_3"};
        for (int i = 0; i < versions.length; i++) {
            r.put(versions[i], report[0x1E8 + i] & 0xFF);
        }
        r.set("launch_tcb", tcb(report, 0x1F0));
        r.set("_reserved_4", array(report, 0x1F8, 168));
        ObjectNode signature = r.putObject("signature");
        signature.set("r", array(report, 0x2A0, 72));
        signature.set("s", array(report, 0x2E8, 72));
        signature.set("_reserved", array(report, 0x330, 368));
        ObjectNode root = JSON.createObjectNode();
        root.set("attestation_report", r);
        ArrayNode chain = root.putArray("cert_chain");
        chain.addObject().put("cert_type", "VCEK").set("data", array(vcekDer, 0, vcekDer.length));
        return JSON.writeValueAsBytes(root);
    }

    @Test
    void kbsJsonReportVerifiesLikeTheBinaryOne() throws Exception {
        byte[] report = TestData.read("snp/milan-trustee/report.bin");
        byte[] json = virteeJson(report, TestData.read("snp/milan-trustee/vcek.der"));
        SnpVerifier verifier = new SnpVerifier(
                AttestationTrust.defaults().withAmdCertificates(TestData.certs("snp/roots/milan_ask_ark.pem")),
                TestData.SNP_CLOCK);
        AttestationResult fromJson = verifier.verify(json, VerificationInputs.none());
        AttestationResult fromBinary = verifier.verify(report, VerificationInputs.none()
                .withCertificates(TestData.certs("snp/milan-trustee/vcek.der")));
        assertEquals(fromBinary.claims(), fromJson.claims());
    }

    @Test
    void alteredJsonValueBreaksTheSignature() throws Exception {
        byte[] report = TestData.read("snp/milan-trustee/report.bin").clone();
        report[0x90] ^= 1;
        byte[] json = virteeJson(report, TestData.read("snp/milan-trustee/vcek.der"));
        SnpVerifier verifier = new SnpVerifier(
                AttestationTrust.defaults().withAmdCertificates(TestData.certs("snp/roots/milan_ask_ark.pem")),
                TestData.SNP_CLOCK);
        KmsError error = assertThrows(KmsError.class, () -> verifier.verify(json, VerificationInputs.none()));
        assertEquals(Reason.SIGNATURE_INVALID, Reason.of(error).orElseThrow());
    }

    @Test
    void unknownFieldsAndShortArraysAreMalformed() throws Exception {
        byte[] report = TestData.read("snp/milan-trustee/report.bin");
        ObjectNode root = (ObjectNode) JSON.readTree(virteeJson(report, TestData.read("snp/milan-trustee/vcek.der")));
        ((ObjectNode) root.path("attestation_report")).set("measurement", array(report, 0x90, 47));
        assertEquals(Reason.MALFORMED, Reason.of(assertThrows(KmsError.class,
                () -> SnpEvidence.decode(JSON.writeValueAsBytes(root)))).orElseThrow());
        ((ObjectNode) root.path("attestation_report")).put("surprise", 1);
        assertEquals(Reason.MALFORMED, Reason.of(assertThrows(KmsError.class,
                () -> SnpEvidence.decode(JSON.writeValueAsBytes(root)))).orElseThrow());
    }
}
