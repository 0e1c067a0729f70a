package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.Bytes;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SNP evidence CoCo guests send to KBS: {@code {"attestation_report": {…}, "cert_chain":
 * [{"cert_type", "data"}] | null}}, where the report is virtee's serde form of the ABI struct
 * (integers, byte arrays as JSON number arrays, TCBs as objects, r/s as 72-byte little-endian
 * arrays). Reserved members are skipped (the ABI requires zeros there). It is re-encoded to the 0x4A0-byte ABI before verification; a wrong value can only
 * break the signature, never forge one.
 */
final class KbsSnpEvidence {
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Kind { U8, U32, U64, BYTES, TCB }

    private record Field(int offset, Kind kind, int length) {
    }

    /** virtee field names (older and newer spellings) and where they sit in the ABI. */
    private static final Map<String, Field> FIELDS = Map.ofEntries(
            Map.entry("version", new Field(0x00, Kind.U32, 4)),
            Map.entry("guest_svn", new Field(0x04, Kind.U32, 4)),
            Map.entry("policy", new Field(0x08, Kind.U64, 8)),
            Map.entry("family_id", new Field(0x10, Kind.BYTES, 16)),
            Map.entry("image_id", new Field(0x20, Kind.BYTES, 16)),
            Map.entry("vmpl", new Field(0x30, Kind.U32, 4)),
            Map.entry("sig_algo", new Field(0x34, Kind.U32, 4)),
            Map.entry("current_tcb", new Field(0x38, Kind.TCB, 8)),
            Map.entry("plat_info", new Field(0x40, Kind.U64, 8)),
            Map.entry("_author_key_en", new Field(0x48, Kind.U32, 4)),
            Map.entry("key_info", new Field(0x48, Kind.U32, 4)),
            Map.entry("report_data", new Field(0x50, Kind.BYTES, 64)),
            Map.entry("measurement", new Field(0x90, Kind.BYTES, 48)),
            Map.entry("host_data", new Field(0xC0, Kind.BYTES, 32)),
            Map.entry("id_key_digest", new Field(0xE0, Kind.BYTES, 48)),
            Map.entry("author_key_digest", new Field(0x110, Kind.BYTES, 48)),
            Map.entry("report_id", new Field(0x140, Kind.BYTES, 32)),
            Map.entry("report_id_ma", new Field(0x160, Kind.BYTES, 32)),
            Map.entry("reported_tcb", new Field(0x180, Kind.TCB, 8)),
            Map.entry("cpuid_fam_id", new Field(0x188, Kind.U8, 1)),
            Map.entry("cpuid_mod_id", new Field(0x189, Kind.U8, 1)),
            Map.entry("cpuid_step", new Field(0x18A, Kind.U8, 1)),
            Map.entry("chip_id", new Field(0x1A0, Kind.BYTES, 64)),
            Map.entry("committed_tcb", new Field(0x1E0, Kind.TCB, 8)),
            Map.entry("current_build", new Field(0x1E8, Kind.U8, 1)),
            Map.entry("current_minor", new Field(0x1E9, Kind.U8, 1)),
            Map.entry("current_major", new Field(0x1EA, Kind.U8, 1)),
            Map.entry("committed_build", new Field(0x1EC, Kind.U8, 1)),
            Map.entry("committed_minor", new Field(0x1ED, Kind.U8, 1)),
            Map.entry("committed_major", new Field(0x1EE, Kind.U8, 1)),
            Map.entry("launch_tcb", new Field(0x1F0, Kind.TCB, 8)),
            Map.entry("launch_mit_vector", new Field(0x1F8, Kind.U64, 8)),
            Map.entry("current_mit_vector", new Field(0x200, Kind.U64, 8)));

    private KbsSnpEvidence() {
    }

    static SnpEvidence decode(byte[] evidence) {
        JsonNode root;
        try {
            root = JSON.readTree(evidence);
        } catch (IOException e) {
            throw Reason.MALFORMED.error("SNP evidence is not JSON");
        }
        JsonNode report = root.path("attestation_report");
        if (!report.isObject()) {
            throw Reason.MALFORMED.error("SNP evidence has no attestation_report object");
        }
        byte[] abi = new byte[SnpReport.LENGTH];
        for (Map.Entry<String, JsonNode> member : report.properties()) {
            if (member.getKey().startsWith("_reserved")) {
                continue;
            }
            if (member.getKey().equals("signature")) {
                signature(member.getValue(), abi);
                continue;
            }
            Field field = FIELDS.get(member.getKey());
            if (field == null) {
                throw Reason.MALFORMED.error("SNP report field " + member.getKey() + " is unknown");
            }
            if (!member.getValue().isNull()) {
                write(member.getKey(), member.getValue(), field, abi);
            }
        }
        return new SnpEvidence(Bytes.wrap(abi), certificates(root.path("cert_chain")));
    }

    private static void write(String name, JsonNode value, Field field, byte[] abi) {
        switch (field.kind()) {
            case U8, U32, U64 -> {
                if (!value.isIntegralNumber()) {
                    throw Reason.MALFORMED.error("SNP report field " + name + " is not an integer");
                }
                long number = value.asLong();
                for (int i = 0; i < field.length(); i++) {
                    abi[field.offset() + i] = (byte) (number >>> (8 * i));
                }
            }
            case BYTES -> System.arraycopy(bytes(value, field.length(), name), 0, abi, field.offset(), field.length());
            case TCB -> tcb(name, value, abi, field.offset());
        }
    }

    /** Milan/Genoa: bootloader, tee, 4 reserved, snp, microcode; with fmc (Turin): fmc, bootloader, tee, snp, 3 reserved, microcode. */
    private static void tcb(String name, JsonNode value, byte[] abi, int offset) {
        if (!value.isObject()) {
            throw Reason.MALFORMED.error("SNP report field " + name + " is not a TCB object");
        }
        boolean turin = value.hasNonNull("fmc");
        int[] slots = turin ? new int[] {1, 2, 3, 7} : new int[] {0, 1, 6, 7};
        String[] parts = {"bootloader", "tee", "snp", "microcode"};
        for (int i = 0; i < parts.length; i++) {
            abi[offset + slots[i]] = (byte) value.path(parts[i]).asInt();
        }
        if (turin) {
            abi[offset] = (byte) value.path("fmc").asInt();
        }
    }

    private static void signature(JsonNode value, byte[] abi) {
        System.arraycopy(bytes(value.path("r"), 72, "signature.r"), 0, abi, 0x2A0, 72);
        System.arraycopy(bytes(value.path("s"), 72, "signature.s"), 0, abi, 0x2E8, 72);
    }

    private static byte[] bytes(JsonNode value, int length, String name) {
        if (!value.isArray() || value.size() != length) {
            throw Reason.MALFORMED.error("SNP report field " + name + " is not " + length + " bytes");
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int b = value.get(i).asInt(-1);
            if (b < 0 || b > 255) {
                throw Reason.MALFORMED.error("SNP report field " + name + " holds a non-byte");
            }
            out[i] = (byte) b;
        }
        return out;
    }

    private static List<X509Certificate> certificates(JsonNode chain) {
        List<X509Certificate> certificates = new ArrayList<>();
        if (chain.isArray()) {
            for (JsonNode entry : chain) {
                JsonNode data = entry.path("data");
                if (!data.isArray() || data.size() > 16 * 1024) {
                    throw Reason.MALFORMED.error("cert_chain entry has no certificate data");
                }
                certificates.add(Certificates.parseOne(bytes(data, data.size(), "cert_chain.data")));
            }
        }
        return certificates;
    }
}
