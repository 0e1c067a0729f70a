package dev.tresor.kms.attest;

import dev.tresor.kms.service.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * SNP evidence as it arrives: the raw 0x4A0-byte report, the same as hex text (virtee tools),
 * or the JSON KBS guests send ({@link KbsSnpEvidence}). Certificates that come with it are chain
 * candidates only.
 */
record SnpEvidence(Bytes report, List<X509Certificate> certificates) {
    SnpEvidence {
        certificates = List.copyOf(certificates);
    }

    static SnpEvidence decode(byte[] evidence) {
        if (evidence.length == SnpReport.LENGTH) {
            return new SnpEvidence(Bytes.of(evidence), List.of());
        }
        String text = new String(evidence, StandardCharsets.US_ASCII).strip();
        if (text.length() == 2 * SnpReport.LENGTH && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return new SnpEvidence(Bytes.of(HexFormat.of().parseHex(text)), List.of());
        }
        if (text.startsWith("{")) {
            return KbsSnpEvidence.decode(evidence);
        }
        throw Reason.MALFORMED.error("SNP report must be " + SnpReport.LENGTH + " bytes, got " + evidence.length);
    }
}
