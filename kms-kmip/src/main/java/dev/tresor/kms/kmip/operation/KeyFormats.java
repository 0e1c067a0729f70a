package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.service.Bytes;
import java.io.IOException;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * KMIP Key Format Types and the encodings between them. The core keeps private keys as PKCS#8
 * and answers public keys as X.509 SubjectPublicKeyInfo; PKCS#1 is the RSA structure inside each.
 * Only re-encodings of ASN.1 happen here, no cryptography.
 */
final class KeyFormats {
    static final int RAW = 0x01;
    static final int PKCS_1 = 0x03;
    static final int PKCS_8 = 0x04;
    static final int X_509 = 0x05;
    static final int TRANSPARENT_SYMMETRIC_KEY = 0x07;

    private KeyFormats() {
    }

    /** A private key as the client asked: PKCS#8 (the default) or, for RSA, PKCS#1. */
    static Bytes privateKey(Bytes pkcs8, int format, KeyType type) {
        if (format == PKCS_8) {
            return pkcs8;
        }
        if (format == PKCS_1 && type.family() == KeyType.Family.RSA) {
            try {
                return Bytes.wrap(PrivateKeyInfo.getInstance(pkcs8.toArray()).parsePrivateKey().toASN1Primitive()
                        .getEncoded());
            } catch (IOException e) {
                throw new IllegalStateException("stored private key is not PKCS#8", e);
            }
        }
        throw notSupported(format);
    }

    /** A public key as the client asked: X.509 SubjectPublicKeyInfo (the default) or, for RSA, PKCS#1. */
    static Bytes publicKey(Bytes spki, int format, KeyType type) {
        if (format == X_509) {
            return spki;
        }
        if (format == PKCS_1 && type.family() == KeyType.Family.RSA) {
            return Bytes.wrap(SubjectPublicKeyInfo.getInstance(spki.toArray()).getPublicKeyData().getBytes());
        }
        throw notSupported(format);
    }

    /** A registered public key as X.509 SubjectPublicKeyInfo, which is what the core takes. */
    static Bytes spki(Bytes material, int format) {
        if (format == X_509) {
            return material;
        }
        if (format == PKCS_1) {
            try {
                return Bytes.wrap(new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(material.toArray())).getEncoded());
            } catch (IOException | IllegalArgumentException e) {
                throw new KmipFailure(ResultReason.INVALID_FIELD, "the key material is not a PKCS#1 RSA public key");
            }
        }
        throw notSupported(format);
    }

    /** A registered private key as PKCS#8, which is what the core imports. */
    static Bytes importablePrivateKey(Bytes material, int format) {
        if (format == PKCS_8) {
            return material;
        }
        if (format == PKCS_1) {
            try {
                RSAPrivateKey rsa = RSAPrivateKey.getInstance(material.toArray());
                return Bytes.wrap(new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), rsa).getEncoded());
            } catch (IOException | IllegalArgumentException e) {
                throw new KmipFailure(ResultReason.INVALID_FIELD, "the key material is not a PKCS#1 RSA private key");
            }
        }
        throw notSupported(format);
    }

    /** The modulus size of a PKCS#8 RSA key, to pick the core key type of a registered key. */
    static int rsaModulusBits(Bytes pkcs8) {
        try {
            return RSAPrivateKey.getInstance(PrivateKeyInfo.getInstance(pkcs8.toArray()).parsePrivateKey())
                    .getModulus().bitLength();
        } catch (IOException | IllegalArgumentException e) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "the key material is not an RSA private key");
        }
    }

    private static KmipFailure notSupported(int format) {
        return new KmipFailure(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED, "key format type " + format + " is not offered here");
    }
}
