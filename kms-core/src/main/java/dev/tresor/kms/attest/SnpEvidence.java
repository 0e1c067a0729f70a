package dev.tresor.kms.attest;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** The accepted encodings of an SNP report: the raw 0x4A0 bytes, or the same as hex text (virtee tools). */
final class SnpEvidence {
    private SnpEvidence() {
    }

    static byte[] decode(byte[] evidence) {
        if (evidence.length == SnpReport.LENGTH) {
            return evidence;
        }
        String text = new String(evidence, StandardCharsets.US_ASCII).strip();
        if (text.length() == 2 * SnpReport.LENGTH && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return HexFormat.of().parseHex(text);
        }
        throw Reason.MALFORMED.error("SNP report must be " + SnpReport.LENGTH + " bytes, got " + evidence.length);
    }
}
