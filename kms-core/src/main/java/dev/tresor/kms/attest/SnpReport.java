package dev.tresor.kms.attest;

import java.util.Arrays;

/**
 * An AMD SEV-SNP ATTESTATION_REPORT (0x4A0 bytes, little-endian), checked structurally when
 * parsed. Offsets follow the SNP firmware ABI; v3 added the CPUID fields, v5 the mitigation vectors.
 */
final class SnpReport {
    static final int LENGTH = 0x4A0;
    static final int SIGNED_LENGTH = 0x2A0;
    static final int SIGNING_KEY_VCEK = 0;
    static final int SIGNING_KEY_VLEK = 1;

    private final byte[] raw;

    private SnpReport(byte[] raw) {
        this.raw = raw;
    }

    static SnpReport parse(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw Reason.MALFORMED.error("SNP report must be " + LENGTH + " bytes, got " + bytes.length);
        }
        SnpReport report = new SnpReport(bytes.clone());
        int version = report.version();
        if (version < 2 || version > 5) {
            throw Reason.MALFORMED.error("SNP report version " + version + " is not 2 to 5");
        }
        if (report.signatureAlgorithm() != 1) {
            throw Reason.MALFORMED.error("SNP signature algorithm " + report.signatureAlgorithm()
                    + " is not ECDSA P-384 with SHA-384");
        }
        int key = report.signingKey();
        if (key != SIGNING_KEY_VCEK && key != SIGNING_KEY_VLEK) {
            throw Reason.MALFORMED.error("SNP signing key " + key + " is neither VCEK nor VLEK");
        }
        if ((report.policy() & (1L << 17)) == 0) {
            throw Reason.MALFORMED.error("SNP policy reserved bit 17 is not set");
        }
        if ((report.policy() >>> 26) != 0) {
            throw Reason.MALFORMED.error("SNP policy reserved bits 26-63 are not zero");
        }
        report.requireZero(0x4C, 0x50, "reserved after signer info");
        report.requireZero(version >= 3 ? 0x18B : 0x188, 0x1A0, "reserved before chip_id");
        report.requireZero(0x1EB, 0x1EC, "reserved after current version");
        report.requireZero(0x1EF, 0x1F0, "reserved after committed version");
        report.requireZero(version >= 5 ? 0x208 : 0x1F8, SIGNED_LENGTH, "reserved before signature");
        report.requireZero(0x330, LENGTH, "reserved after signature");
        return report;
    }

    private void requireZero(int from, int to, String what) {
        for (int i = from; i < to; i++) {
            if (raw[i] != 0) {
                throw Reason.MALFORMED.error("SNP report " + what + " (0x" + Integer.toHexString(i) + ") is not zero");
            }
        }
    }

    byte[] signedBytes() {
        return Arrays.copyOfRange(raw, 0, SIGNED_LENGTH);
    }

    /** r and s as 72-byte little-endian integers. */
    byte[] signatureR() {
        return slice(0x2A0, 72);
    }

    byte[] signatureS() {
        return slice(0x2E8, 72);
    }

    int version() {
        return (int) WireReader.le32(raw, 0x00);
    }

    long guestSvn() {
        return WireReader.le32(raw, 0x04);
    }

    long policy() {
        return WireReader.le64(raw, 0x08);
    }

    byte[] familyId() {
        return slice(0x10, 16);
    }

    byte[] imageId() {
        return slice(0x20, 16);
    }

    long vmpl() {
        return WireReader.le32(raw, 0x30);
    }

    long signatureAlgorithm() {
        return WireReader.le32(raw, 0x34);
    }

    long currentTcb() {
        return WireReader.le64(raw, 0x38);
    }

    long platformInfo() {
        return WireReader.le64(raw, 0x40);
    }

    long signerInfo() {
        return WireReader.le32(raw, 0x48);
    }

    int signingKey() {
        return (int) (signerInfo() >>> 2) & 0x7;
    }

    byte[] reportData() {
        return slice(0x50, 64);
    }

    byte[] measurement() {
        return slice(0x90, 48);
    }

    byte[] hostData() {
        return slice(0xC0, 32);
    }

    byte[] idKeyDigest() {
        return slice(0xE0, 48);
    }

    byte[] authorKeyDigest() {
        return slice(0x110, 48);
    }

    byte[] reportId() {
        return slice(0x140, 32);
    }

    byte[] reportIdMa() {
        return slice(0x160, 32);
    }

    long reportedTcb() {
        return WireReader.le64(raw, 0x180);
    }

    int cpuidFamily() {
        return raw[0x188] & 0xFF;
    }

    int cpuidModel() {
        return raw[0x189] & 0xFF;
    }

    int cpuidStepping() {
        return raw[0x18A] & 0xFF;
    }

    byte[] chipId() {
        return slice(0x1A0, 64);
    }

    long committedTcb() {
        return WireReader.le64(raw, 0x1E0);
    }

    /** build, minor, major of the current (0x1E8) or committed (0x1EC) firmware. */
    int[] firmware(int offset) {
        return new int[] {raw[offset] & 0xFF, raw[offset + 1] & 0xFF, raw[offset + 2] & 0xFF};
    }

    long launchTcb() {
        return WireReader.le64(raw, 0x1F0);
    }

    long launchMitigationVector() {
        return WireReader.le64(raw, 0x1F8);
    }

    long currentMitigationVector() {
        return WireReader.le64(raw, 0x200);
    }

    private byte[] slice(int offset, int length) {
        return Arrays.copyOfRange(raw, offset, offset + length);
    }
}
