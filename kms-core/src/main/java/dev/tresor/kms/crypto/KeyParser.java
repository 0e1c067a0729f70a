package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Turns key material into JCA key objects and checks it against its key type first: length for
 * AES and HMAC, PKCS#8 structure, modulus size and CRT consistency for RSA, curve and scalar range
 * for EC. Every rejection is an INVALID_ARGUMENT that names the problem (never the bytes).
 */
final class KeyParser {
    /** HMAC keys: at least 128 bits (NIST SP 800-107's floor for a security strength of 128). */
    static final int HMAC_MIN_BYTES = 16;
    /** HMAC keys longer than a hash block are hashed anyway; the cap only bounds the input. */
    static final int HMAC_MAX_BYTES = 256;

    private static final Map<KeyType, ECParameterSpec> CURVES = jdkCurves();

    private KeyParser() {
    }

    static LoadedKey load(KeyType type, KeyMaterial material) {
        byte[] bytes = material.view();
        return switch (type.family()) {
            case AES -> LoadedKey.secret(type, fullLength(type, bytes, "AES"));
            case CHACHA20 -> LoadedKey.secret(type, fullLength(type, bytes, "ChaCha20"));
            case HMAC -> LoadedKey.secret(type, hmac(type, bytes));
            case RSA -> rsa(type, bytes);
            case EC -> ec(type, bytes);
        };
    }

    static PublicKey publicKey(KeyType type, byte[] spkiDer) {
        return switch (type.family()) {
            case RSA -> rsaPublic(type, spkiDer);
            case EC -> ecPublic(type, spkiDer);
            case AES, HMAC, CHACHA20 -> throw KmsError.invalid(type + " is a symmetric key type and has no public key");
        };
    }

    /**
     * The key type of a SubjectPublicKeyInfo: RSA by modulus size, EC by named curve; any other
     * key (RSA below 2048 bits among them) is refused.
     */
    static KeyType publicKeyType(byte[] spkiDer) {
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(spkiDer);
        } catch (RuntimeException e) { // BouncyCastle reports malformed DER with several unchecked types
            throw KmsError.invalid("the public key must be an X.509 SubjectPublicKeyInfo (DER)");
        }
        ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
        if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            int bits;
            try {
                bits = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(info.parsePublicKey()).getModulus().bitLength();
            } catch (IOException | RuntimeException e) {
                throw KmsError.invalid("the RSA public key is not a PKCS#1 RSAPublicKey");
            }
            for (KeyType type : KeyType.values()) {
                if (type.family() == KeyType.Family.RSA && type.bits() == bits) {
                    return type;
                }
            }
            throw KmsError.invalid("RSA public keys must have 2048, 3072 or 4096 bits, not " + bits);
        }
        if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)
                && info.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curve) {
            for (KeyType type : KeyType.values()) {
                if (type.family() == KeyType.Family.EC && curveOid(type).equals(curve)) {
                    return type;
                }
            }
            throw KmsError.invalid("EC public keys must be on P-256, P-384 or P-521, not " + curve.getId());
        }
        throw KmsError.invalid("public keys must be RSA or EC, not " + algorithm.getId());
    }

    private static ASN1ObjectIdentifier curveOid(KeyType type) {
        return switch (type) {
            case EC_P256 -> SECObjectIdentifiers.secp256r1;
            case EC_P384 -> SECObjectIdentifiers.secp384r1;
            default -> SECObjectIdentifiers.secp521r1;
        };
    }

    /** AES and ChaCha20 material is exactly the type's key size. */
    private static SecretKeyHandle fullLength(KeyType type, byte[] bytes, String jcaAlgorithm) {
        int expected = type.bits() / 8;
        if (bytes.length != expected) {
            throw KmsError.invalid(type + " material must be " + expected + " bytes, got " + bytes.length);
        }
        return new SecretKeyHandle(jcaAlgorithm, bytes);
    }

    private static SecretKeyHandle hmac(KeyType type, byte[] bytes) {
        if (bytes.length < HMAC_MIN_BYTES || bytes.length > HMAC_MAX_BYTES) {
            throw KmsError.invalid(type + " material must be " + HMAC_MIN_BYTES + " to " + HMAC_MAX_BYTES
                    + " bytes, got " + bytes.length);
        }
        return new SecretKeyHandle("Hmac" + Hash.named("SHA-" + type.bits()).signaturePrefix(), bytes);
    }

    private static LoadedKey rsa(KeyType type, byte[] pkcs8) {
        RSAPrivateCrtKey key;
        try {
            if (!(rsaFactory().generatePrivate(new PKCS8EncodedKeySpec(pkcs8)) instanceof RSAPrivateCrtKey crt)) {
                throw KmsError.invalid(type + " material must be an RSA private key with CRT parameters");
            }
            key = crt;
        } catch (GeneralSecurityException e) {
            throw KmsError.invalid(type + " material must be a PKCS#8 DER RSA private key");
        }
        checkModulus(type, key.getModulus(), key.getPublicExponent());
        BigInteger p = key.getPrimeP();
        BigInteger q = key.getPrimeQ();
        BigInteger e = key.getPublicExponent();
        boolean consistent = p.multiply(q).equals(key.getModulus())
                && e.multiply(key.getPrimeExponentP()).mod(p.subtract(BigInteger.ONE)).equals(BigInteger.ONE)
                && e.multiply(key.getPrimeExponentQ()).mod(q.subtract(BigInteger.ONE)).equals(BigInteger.ONE)
                && q.multiply(key.getCrtCoefficient()).mod(p).equals(BigInteger.ONE);
        if (!consistent) {
            throw KmsError.invalid(type + " material has inconsistent RSA CRT parameters");
        }
        try {
            PublicKey pub = rsaFactory().generatePublic(new RSAPublicKeySpec(key.getModulus(), e));
            return LoadedKey.pair(type, key, pub);
        } catch (GeneralSecurityException ex) {
            throw KmsError.invalid(type + " material has an unusable public key");
        }
    }

    private static PublicKey rsaPublic(KeyType type, byte[] der) {
        RSAPublicKey key;
        try {
            if (!(rsaFactory().generatePublic(new X509EncodedKeySpec(der)) instanceof RSAPublicKey rsa)
                    || !"RSA".equals(rsa.getAlgorithm())) {
                throw KmsError.invalid(type + " public key must be an rsaEncryption SubjectPublicKeyInfo");
            }
            key = rsa;
        } catch (GeneralSecurityException e) {
            throw KmsError.invalid(type + " public key must be an rsaEncryption SubjectPublicKeyInfo (DER)");
        }
        checkModulus(type, key.getModulus(), key.getPublicExponent());
        return key;
    }

    private static void checkModulus(KeyType type, BigInteger n, BigInteger e) {
        if (n.bitLength() != type.bits()) {
            throw KmsError.invalid(type + " key must have a " + type.bits() + "-bit modulus, got " + n.bitLength());
        }
        if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0 || e.compareTo(n) >= 0) {
            throw KmsError.invalid(type + " key has an invalid public exponent");
        }
    }

    private static LoadedKey ec(KeyType type, byte[] pkcs8) {
        ECPrivateKey key;
        try {
            if (!(ecFactory().generatePrivate(new PKCS8EncodedKeySpec(pkcs8)) instanceof ECPrivateKey ecKey)) {
                throw KmsError.invalid(type + " material must be a PKCS#8 DER EC private key");
            }
            key = ecKey;
        } catch (GeneralSecurityException e) {
            throw KmsError.invalid(type + " material must be a PKCS#8 DER EC private key on " + type.curveName());
        }
        ECParameterSpec params = curve(type);
        if (!sameCurve(key.getParams(), params)) {
            throw KmsError.invalid(type + " material is not a key on " + type.curveName());
        }
        BigInteger s = key.getS();
        if (s.signum() <= 0 || s.compareTo(params.getOrder()) >= 0) {
            throw KmsError.invalid(type + " material has a private scalar out of range");
        }
        org.bouncycastle.math.ec.ECPoint q = new FixedPointCombMultiplier().multiply(bcCurve(type).getG(), s).normalize();
        ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        try {
            return LoadedKey.pair(type, key, ecFactory().generatePublic(new ECPublicKeySpec(w, params)));
        } catch (GeneralSecurityException e) {
            throw KmsError.invalid(type + " material has an unusable public key");
        }
    }

    private static PublicKey ecPublic(KeyType type, byte[] der) {
        ECPublicKey key;
        try {
            if (!(ecFactory().generatePublic(new X509EncodedKeySpec(der)) instanceof ECPublicKey ecKey)) {
                throw KmsError.invalid(type + " public key must be an EC SubjectPublicKeyInfo");
            }
            key = ecKey;
        } catch (GeneralSecurityException e) {
            throw KmsError.invalid(type + " public key must be an EC SubjectPublicKeyInfo (DER) on " + type.curveName());
        }
        if (!sameCurve(key.getParams(), curve(type))) {
            throw KmsError.invalid(type + " public key is not on " + type.curveName());
        }
        try {
            bcCurve(type).getCurve().validatePoint(key.getW().getAffineX(), key.getW().getAffineY());
        } catch (IllegalArgumentException e) {
            throw KmsError.invalid(type + " public key is not a valid point on " + type.curveName());
        }
        return key;
    }

    /** The JDK's parameters of an EC key type's named curve. */
    static ECParameterSpec curve(KeyType type) {
        return CURVES.get(type);
    }

    private static Map<KeyType, ECParameterSpec> jdkCurves() {
        Map<KeyType, ECParameterSpec> curves = new EnumMap<>(KeyType.class);
        for (KeyType type : KeyType.values()) {
            if (type.family() == KeyType.Family.EC) {
                try {
                    AlgorithmParameters p = AlgorithmParameters.getInstance("EC", Providers.SUN_EC);
                    p.init(new ECGenParameterSpec(type.curveName()));
                    curves.put(type, p.getParameterSpec(ECParameterSpec.class));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("the JDK does not know " + type.curveName(), e);
                }
            }
        }
        return curves;
    }

    private static X9ECParameters bcCurve(KeyType type) {
        return CustomNamedCurves.getByName(type.curveName());
    }

    private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
        return a.getCurve().equals(b.getCurve())
                && a.getGenerator().equals(b.getGenerator())
                && a.getOrder().equals(b.getOrder())
                && a.getCofactor() == b.getCofactor();
    }

    private static KeyFactory rsaFactory() throws GeneralSecurityException {
        return KeyFactory.getInstance("RSA", Providers.SUN_RSA_SIGN);
    }

    private static KeyFactory ecFactory() throws GeneralSecurityException {
        return KeyFactory.getInstance("EC", Providers.SUN_EC);
    }
}
