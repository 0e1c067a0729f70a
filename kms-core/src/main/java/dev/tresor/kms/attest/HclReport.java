package dev.tresor.kms.attest;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * An Azure HCL report: a 32-byte {@code HCLA} header, the 1184-byte hardware report area (an
 * SNP report or a TD report), a 20-byte IGVM request header, then the runtime-data JSON whose
 * hash the hardware report carries. The JSON length comes from its header, never the file.
 */
final class HclReport {
    static final int SNP = 2;
    static final int TDX = 4;
    private static final int HARDWARE = 32;
    private static final int HARDWARE_LENGTH = 1184;
    private static final int REQUEST = HARDWARE + HARDWARE_LENGTH;
    private static final int RUNTIME = REQUEST + 20;

    private final byte[] raw;
    private final int reportType;
    private final int hashType;
    private final int runtimeLength;

    private HclReport(byte[] raw) {
        this.raw = raw;
        if (raw.length < RUNTIME || raw[0] != 'H' || raw[1] != 'C' || raw[2] != 'L' || raw[3] != 'A') {
            throw Reason.MALFORMED.error("HCL report has no HCLA header");
        }
        WireReader request = WireReader.littleEndian(raw, REQUEST + 8, "HCL request header");
        reportType = (int) request.u32();
        hashType = (int) request.u32();
        long size = request.u32();
        if (size > raw.length - RUNTIME) {
            throw Reason.MALFORMED.error("HCL runtime data size " + size + " exceeds the report");
        }
        runtimeLength = (int) size;
    }

    static HclReport parse(byte[] bytes) {
        return new HclReport(bytes.clone());
    }

    int reportType() {
        return reportType;
    }

    byte[] hardwareReport() {
        return Arrays.copyOfRange(raw, HARDWARE, HARDWARE + HARDWARE_LENGTH);
    }

    byte[] runtimeData() {
        return Arrays.copyOfRange(raw, RUNTIME, RUNTIME + runtimeLength);
    }

    /** The runtime-data hash as the hardware report's report_data carries it. */
    byte[] runtimeDataHash() {
        String algorithm = switch (hashType) {
            case 1 -> "SHA-256";
            case 2 -> "SHA-384";
            case 3 -> "SHA-512";
            default -> throw Reason.MALFORMED.error("HCL hash type " + hashType + " is unknown");
        };
        MessageDigest digest = Certificates.digest(algorithm);
        return digest.digest(runtimeData());
    }
}
