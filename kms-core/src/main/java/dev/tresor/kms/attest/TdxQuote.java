package dev.tresor.kms.attest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An Intel DCAP quote v4 or v5 with a TDX body (TDX 1.0 or 1.5), checked structurally when
 * parsed. Its length comes from the signed-data length, never the file: bytes after the
 * signature data are ignored and only counted.
 */
final class TdxQuote {
    static final int HEADER = 48;
    private static final int TDX10_BODY = 584;
    private static final int TDX15_BODY = 648;
    private static final byte[] INTEL_QE_VENDOR = HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607");
    static final int QE_REPORT = 384;

    private final byte[] raw;
    private final int version;
    private final int bodyOffset;
    private final int bodyLength;
    private final byte[] signature;
    private final byte[] attestationKey;
    private final byte[] qeReport;
    private final byte[] qeReportSignature;
    private final byte[] qeAuthData;
    private final byte[] pckChainPem;
    private final int trailingBytes;

    private TdxQuote(byte[] raw) {
        this.raw = raw;
        WireReader header = WireReader.littleEndian(raw, 0, "TDX quote header");
        version = header.u16();
        int keyType = header.u16();
        long teeType = header.u32();
        header.skip(4);
        byte[] vendor = header.bytes(16);
        header.skip(20);
        if (version != 4 && version != 5) {
            throw Reason.MALFORMED.error("quote version " + version + " is not 4 or 5");
        }
        if (keyType != 2) {
            throw Reason.MALFORMED.error("attestation key type " + keyType + " is not ECDSA P-256");
        }
        if (teeType != 0x81) {
            throw Reason.MALFORMED.error("TEE type 0x" + Long.toHexString(teeType) + " is not TDX");
        }
        if (!Arrays.equals(vendor, INTEL_QE_VENDOR)) {
            throw Reason.MALFORMED.error("QE vendor is not Intel");
        }
        if (version == 4) {
            bodyOffset = HEADER;
            bodyLength = TDX10_BODY;
        } else {
            int bodyType = header.u16();
            long size = header.u32();
            int expected = bodyType == 2 ? TDX10_BODY : bodyType == 3 ? TDX15_BODY : -1;
            if (expected < 0 || size != expected) {
                throw Reason.MALFORMED.error("v5 body type " + bodyType + " with size " + size + " is not TDX");
            }
            bodyOffset = HEADER + 6;
            bodyLength = expected;
        }
        WireReader data = WireReader.littleEndian(raw, bodyOffset, "TDX quote");
        data.skip(bodyLength);
        long signedLength = data.u32();
        if (signedLength > data.remaining()) {
            throw Reason.MALFORMED.error("signature data length " + signedLength + " exceeds the quote");
        }
        int end = data.position() + (int) signedLength;
        WireReader signed = WireReader.littleEndian(Arrays.copyOf(raw, end), data.position(), "TDX signature data");
        signature = signed.bytes(64);
        attestationKey = signed.bytes(64);
        int certType = signed.u16();
        long certSize = signed.u32();
        if (certType != 6 || certSize > signed.remaining()) {
            throw Reason.MALFORMED.error("certification data type " + certType + " is not a QE report");
        }
        qeReport = signed.bytes(QE_REPORT);
        qeReportSignature = signed.bytes(64);
        qeAuthData = signed.sized16();
        int chainType = signed.u16();
        long chainSize = signed.u32();
        if (chainType != 5 || chainSize > signed.remaining()) {
            throw Reason.MALFORMED.error("certification data type " + chainType + " is not a PCK chain");
        }
        pckChainPem = signed.bytes((int) chainSize);
        trailingBytes = raw.length - end;
    }

    static TdxQuote parse(byte[] bytes) {
        return new TdxQuote(bytes.clone());
    }

    int version() {
        return version;
    }

    boolean isTdx15() {
        return bodyLength == TDX15_BODY;
    }

    byte[] signedRegion() {
        return Arrays.copyOf(raw, bodyOffset + bodyLength);
    }

    byte[] signature() {
        return signature.clone();
    }

    byte[] attestationKey() {
        return attestationKey.clone();
    }

    byte[] qeReport() {
        return qeReport.clone();
    }

    byte[] qeReportSignature() {
        return qeReportSignature.clone();
    }

    byte[] qeAuthData() {
        return qeAuthData.clone();
    }

    /** The PEM chain without the NUL terminator some quote generators append. */
    byte[] pckChainPem() {
        String text = new String(pckChainPem, StandardCharsets.US_ASCII);
        int nul = text.indexOf('\0');
        return (nul < 0 ? text : text.substring(0, nul)).getBytes(StandardCharsets.US_ASCII);
    }

    int trailingBytes() {
        return trailingBytes;
    }

    byte[] body(int offset, int length) {
        return Arrays.copyOfRange(raw, bodyOffset + offset, bodyOffset + offset + length);
    }

    byte[] teeTcbSvn() {
        return body(0, 16);
    }

    byte[] reportData() {
        return body(520, 64);
    }

    long tdAttributes() {
        return WireReader.le64(raw, bodyOffset + 120);
    }

    /** A QE report (SGX REPORT body) field. */
    static byte[] qeField(byte[] qeReport, int offset, int length) {
        return Arrays.copyOfRange(qeReport, offset, offset + length);
    }
}
