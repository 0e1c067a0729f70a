package dev.tresor.kms.attest;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/** A TPMT_SIGNATURE (RSASSA, RSAPSS or ECDSA) and its check against a TPMS_ATTEST. */
final class TpmSignature {
    private static final int RSASSA = 0x0014;
    private static final int RSAPSS = 0x0016;
    private static final int ECDSA = 0x0018;

    private final int scheme;
    private final TpmAlgorithm hash;
    private final byte[] signature;

    private TpmSignature(int scheme, TpmAlgorithm hash, byte[] signature) {
        this.scheme = scheme;
        this.hash = hash;
        this.signature = signature;
    }

    static TpmSignature parse(byte[] bytes) {
        WireReader in = WireReader.bigEndian(bytes, "TPMT_SIGNATURE");
        int scheme = in.u16();
        int hashId = in.u16();
        TpmAlgorithm hash = TpmAlgorithm.of(hashId)
                .orElseThrow(() -> Reason.MALFORMED.error("unknown signature hash 0x" + Integer.toHexString(hashId)));
        if (hash == TpmAlgorithm.SHA1) {
            throw Reason.SIGNATURE_INVALID.error("SHA-1 quote signatures are refused");
        }
        return switch (scheme) {
            case RSASSA, RSAPSS -> new TpmSignature(scheme, hash, in.sized16());
            case ECDSA -> {
                byte[] r = in.sized16();
                byte[] s = in.sized16();
                yield new TpmSignature(scheme, hash, concat(r, s));
            }
            default -> throw Reason.MALFORMED.error("unknown signature scheme 0x" + Integer.toHexString(scheme));
        };
    }

    /** A raw RSASSA-PKCS1-v1_5 signature as Azure's vTPM quote carries it. */
    static TpmSignature rsaPkcs1(TpmAlgorithm hash, byte[] signature) {
        return new TpmSignature(RSASSA, hash, signature.clone());
    }

    TpmAlgorithm hash() {
        return hash;
    }

    boolean verifies(PublicKey key, byte[] attest) {
        return switch (scheme) {
            case RSASSA -> SignatureCheck.verifies(hash.signatureName() + "withRSA", key, attest, signature);
            case RSAPSS -> SignatureCheck.verifiesPss(key, attest, signature, new PSSParameterSpec(hash.jcaName(),
                    "MGF1", new MGF1ParameterSpec(hash.jcaName()), hash.length(), 1));
            default -> key instanceof ECPublicKey ec && SignatureCheck.verifies(hash.signatureName()
                    + "withECDSAinP1363Format", key, attest, fixedWidth(ec));
        };
    }

    /** TPM ECDSA r and s are minimal-length; P1363 wants each padded to the field size. */
    private byte[] fixedWidth(ECPublicKey key) {
        int width = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        WireReader in = WireReader.bigEndian(signature, "ECDSA signature");
        byte[] out = new byte[2 * width];
        int half = signature.length / 2;
        byte[] r = in.bytes(half);
        byte[] s = in.bytes(signature.length - half);
        if (r.length > width || s.length > width) {
            return new byte[0];
        }
        System.arraycopy(r, 0, out, width - r.length, r.length);
        System.arraycopy(s, 0, out, 2 * width - s.length, s.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw Reason.MALFORMED.error("ECDSA r and s differ in length");
        }
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
