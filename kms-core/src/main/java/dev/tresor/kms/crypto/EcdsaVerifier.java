package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import java.io.IOException;
import java.math.BigInteger;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * ECDSA verification of strict-DER signatures. Not the JDK's: Wycheproof shows JDK 17's SunEC
 * accepting an s whose DER lacks its leading zero and rejecting valid signatures whose point has
 * an x-coordinate of n or more (x must be reduced mod n). So the DER is checked here (it must
 * re-encode to the same bytes, with 0 < r, s < n) and BouncyCastle's verifier does the math.
 * Signing stays on the JDK.
 */
final class EcdsaVerifier {
    private static final Map<KeyType, ECDomainParameters> DOMAINS = new EnumMap<>(KeyType.class);

    static {
        for (KeyType type : KeyType.values()) {
            if (type.family() != KeyType.Family.EC) {
                continue;
            }
            X9ECParameters x9 = CustomNamedCurves.getByName(type.curveName());
            DOMAINS.put(type, new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH()));
        }
    }

    private EcdsaVerifier() {
    }

    static boolean verify(LoadedKey key, byte[] digest, byte[] signature) {
        ECDomainParameters domain = DOMAINS.get(key.type());
        BigInteger[] rs = decodeStrictDer(signature, domain.getN());
        if (rs == null) {
            return false;
        }
        ECPublicKey pub = (ECPublicKey) key.publicKey();
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(
                domain.getCurve().createPoint(pub.getW().getAffineX(), pub.getW().getAffineY()), domain));
        return verifier.verifySignature(digest, rs[0], rs[1]);
    }

    /** r and s of a DER {@code SEQUENCE {INTEGER r, INTEGER s}} with both in [1, n-1], or null. */
    private static BigInteger[] decodeStrictDer(byte[] signature, BigInteger n) {
        try {
            if (!(ASN1Primitive.fromByteArray(signature) instanceof ASN1Sequence seq) || seq.size() != 2
                    || !(seq.getObjectAt(0) instanceof ASN1Integer r) || !(seq.getObjectAt(1) instanceof ASN1Integer s)) {
                return null;
            }
            BigInteger rv = r.getValue();
            BigInteger sv = s.getValue();
            if (rv.signum() <= 0 || sv.signum() <= 0 || rv.compareTo(n) >= 0 || sv.compareTo(n) >= 0) {
                return null;
            }
            byte[] canonical = new DERSequence(new ASN1Integer[] {r, s}).getEncoded();
            return Arrays.equals(canonical, signature) ? new BigInteger[] {rv, sv} : null;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            return null;
        }
    }
}
