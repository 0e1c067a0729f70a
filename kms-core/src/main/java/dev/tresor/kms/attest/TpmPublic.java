package dev.tresor.kms.attest;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;

/** Reads a TPMT_PUBLIC (an AK as the TPM describes it) into a JCA public key. */
final class TpmPublic {
    private static final int RSA = 0x0001;
    private static final int ECC = 0x0023;
    private static final int NULL = 0x0010;

    private TpmPublic() {
    }

    static PublicKey parse(byte[] bytes) {
        WireReader in = WireReader.bigEndian(bytes, "TPMT_PUBLIC");
        int type = in.u16();
        in.u16();
        in.u32();
        in.sized16();
        if (in.u16() != NULL) {
            in.u16();
            in.u16();
        }
        if (in.u16() != NULL) {
            in.u16();
        }
        if (type == RSA) {
            in.u16();
            long exponent = in.u32();
            byte[] modulus = in.sized16();
            try {
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, modulus),
                        BigInteger.valueOf(exponent == 0 ? 65537 : exponent)));
            } catch (GeneralSecurityException e) {
                throw Reason.MALFORMED.error("TPMT_PUBLIC RSA key does not load");
            }
        }
        if (type == ECC) {
            int curve = in.u16();
            if (in.u16() != NULL) {
                in.u16();
            }
            byte[] x = in.sized16();
            byte[] y = in.sized16();
            String name = switch (curve) {
                case 0x0003 -> "secp256r1";
                case 0x0004 -> "secp384r1";
                case 0x0005 -> "secp521r1";
                default -> throw Reason.MALFORMED.error("unsupported TPM curve 0x" + Integer.toHexString(curve));
            };
            return SignatureCheck.ecPublicKey(name, x, y);
        }
        throw Reason.MALFORMED.error("unsupported TPM key type 0x" + Integer.toHexString(type));
    }
}
