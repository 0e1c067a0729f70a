package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PSSParameterSpec;
import javax.crypto.Mac;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.RuntimeCryptoException;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;

/**
 * Signatures and MACs: RSASSA-PSS (MGF1 with the same hash, salt = hash length, trailer 0xBC;
 * verified by {@link PssVerifier} with the salt lengths a {@link PssSalt} accepts; SHA-1 only verified),
 * RSASSA-PKCS1-v1_5, ECDSA with DER signatures, HMAC. Prehashed input is the digest itself; the
 * JDK signs a prehashed PKCS#1 DigestInfo ({@code NONEwithRSA}) and ECDSA digest
 * ({@code NONEwithECDSA}) but has no raw RSASSA-PSS, so that one path uses BouncyCastle's signer.
 * ECDSA verification is {@link EcdsaVerifier}'s.
 */
final class Signatures {
    private Signatures() {
    }

    static byte[] sign(LoadedKey key, Scheme scheme, byte[] data, boolean prehashed, SecureRandom random) {
        if (scheme == Scheme.RSA_PSS_SHA1) {
            throw KmsError.invalid("SHA-1 signatures are verified, never made");
        }
        Hash hash = Hash.of(scheme);
        checkInput(scheme, hash, data, prehashed);
        try {
            if (scheme.operation() == Scheme.Operation.MAC) {
                return mac(key, hash, data);
            }
            if (prehashed && isPss(scheme)) {
                PSSSigner signer = rawPss(hash);
                signer.init(true, new ParametersWithRandom(bcPrivate((RSAPrivateCrtKey) key.privateKey()), random));
                signer.update(data, 0, data.length);
                return signer.generateSignature();
            }
            Signature signature = jcaSignature(scheme, hash, prehashed);
            signature.initSign(key.privateKey(), random);
            signature.update(signedBytes(scheme, hash, data, prehashed));
            return signature.sign();
        } catch (GeneralSecurityException | CryptoException e) {
            throw KmsError.internal(scheme + " signing failed", e);
        }
    }

    static boolean verify(LoadedKey key, Scheme scheme, byte[] data, boolean prehashed, byte[] signature, PssSalt salt) {
        Hash hash = Hash.of(scheme);
        checkInput(scheme, hash, data, prehashed);
        try {
            if (scheme.operation() == Scheme.Operation.MAC) {
                return MessageDigest.isEqual(mac(key, hash, data), signature);
            }
            if (scheme.family() == KeyType.Family.EC) {
                return EcdsaVerifier.verify(key, prehashed ? data : digest(hash, data), signature);
            }
            if (isPss(scheme)) {
                return PssVerifier.verify((RSAPublicKey) key.publicKey(), hash, prehashed ? data : digest(hash, data),
                        signature, salt);
            }
            if (isPkcs1(scheme) && !prehashed) {
                // the JDK's SHA*withRSA also accepts a DigestInfo without the NULL parameter; comparing
                // the one DER DigestInfo ourselves keeps both paths equally strict
                return verify(key, scheme, digest(hash, data), true, signature, salt);
            }
            Signature verifier = jcaSignature(scheme, hash, prehashed);
            verifier.initVerify(key.publicKey());
            verifier.update(signedBytes(scheme, hash, data, prehashed));
            return verifier.verify(signature);
        } catch (SignatureException | RuntimeCryptoException | IllegalArgumentException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw KmsError.internal(scheme + " verification failed", e);
        }
    }

    private static void checkInput(Scheme scheme, Hash hash, byte[] data, boolean prehashed) {
        if (!prehashed) {
            return;
        }
        if (scheme.operation() == Scheme.Operation.MAC) {
            throw KmsError.invalid(scheme + " takes the message itself, not a digest");
        }
        if (data.length != hash.length()) {
            throw KmsError.invalid("a prehashed " + hash.jcaName() + " digest is " + hash.length()
                    + " bytes, got " + data.length);
        }
    }

    private static byte[] digest(Hash hash, byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance(hash.jcaName(), Providers.SUN).digest(data);
    }

    private static byte[] mac(LoadedKey key, Hash hash, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("Hmac" + hash.signaturePrefix(), Providers.SUN_JCE);
        mac.init(key.secretKey());
        return mac.doFinal(data);
    }

    private static Signature jcaSignature(Scheme scheme, Hash hash, boolean prehashed) throws GeneralSecurityException {
        return switch (scheme) {
            case RSA_PSS_SHA256, RSA_PSS_SHA384, RSA_PSS_SHA512 -> {
                Signature s = Signature.getInstance("RSASSA-PSS", Providers.SUN_RSA_SIGN);
                s.setParameter(new PSSParameterSpec(hash.jcaName(), "MGF1", hash.mgf1(), hash.length(),
                        PSSParameterSpec.TRAILER_FIELD_BC));
                yield s;
            }
            case RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RSA_PKCS1_SHA512 ->
                    prehashed
                            // the JDK builds NONEwithRSA on the RSA/ECB/PKCS1Padding cipher, which is SunJCE's
                            ? Signature.getInstance("NONEwithRSA", Providers.SUN_JCE)
                            : Signature.getInstance(hash.signaturePrefix() + "withRSA", Providers.SUN_RSA_SIGN);
            case ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512 ->
                    Signature.getInstance(prehashed ? "NONEwithECDSA" : hash.signaturePrefix() + "withECDSA",
                            Providers.SUN_EC);
            default -> throw new InvalidKeyException(scheme + " is not a signature scheme");
        };
    }

    /** What the JCA signature consumes: the message, or for prehashed PKCS#1 the DigestInfo. */
    private static byte[] signedBytes(Scheme scheme, Hash hash, byte[] data, boolean prehashed) {
        return prehashed && isPkcs1(scheme) ? hash.digestInfo(data) : data;
    }

    private static boolean isPkcs1(Scheme scheme) {
        return scheme == Scheme.RSA_PKCS1_SHA256 || scheme == Scheme.RSA_PKCS1_SHA384 || scheme == Scheme.RSA_PKCS1_SHA512;
    }

    private static boolean isPss(Scheme scheme) {
        return scheme == Scheme.RSA_PSS_SHA1 || scheme == Scheme.RSA_PSS_SHA256 || scheme == Scheme.RSA_PSS_SHA384
                || scheme == Scheme.RSA_PSS_SHA512;
    }

    private static PSSSigner rawPss(Hash hash) {
        return PSSSigner.createRawSigner(new RSABlindedEngine(), hash.newBcDigest(), hash.newBcDigest(),
                hash.length(), PSSSigner.TRAILER_IMPLICIT);
    }

    private static RSAPrivateCrtKeyParameters bcPrivate(RSAPrivateCrtKey k) {
        return new RSAPrivateCrtKeyParameters(k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(),
                k.getPrimeP(), k.getPrimeQ(), k.getPrimeExponentP(), k.getPrimeExponentQ(), k.getCrtCoefficient());
    }
}
