package dev.tresor.kms.attest;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.InvalidParameterSpecException;
import java.security.spec.PSSParameterSpec;

/** Signature verification that answers yes or no: a malformed signature is an invalid one. */
final class SignatureCheck {
    private SignatureCheck() {
    }

    static boolean verifies(String algorithm, PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static boolean verifiesPss(PublicKey key, byte[] data, byte[] signature,
                               PSSParameterSpec parameters) {
        try {
            Signature verifier = Signature.getInstance("RSASSA-PSS");
            verifier.setParameter(parameters);
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** An EC public key from its affine coordinates on a named curve (secp256r1, secp384r1, secp521r1). */
    static PublicKey ecPublicKey(String curve, byte[] x, byte[] y) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(curve));
            ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
            ECPoint point = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
        } catch (InvalidParameterSpecException e) {
            throw new IllegalStateException(e);
        } catch (GeneralSecurityException e) {
            throw Reason.MALFORMED.error("EC public key is not a point on " + curve);
        }
    }
}
