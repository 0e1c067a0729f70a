package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.DigestFormat;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.ObjectPublicKey;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    static final int TRANSPARENT_RSA_PRIVATE_KEY = 0x0A;
    /** The fields of a Transparent RSA Private Key, in the order of PKCS#1's RSAPrivateKey. */
    private static final List<Tag> RSA_FIELDS = List.of(Tag.MODULUS, Tag.PUBLIC_EXPONENT, Tag.PRIVATE_EXPONENT, Tag.P,
            Tag.Q, Tag.PRIME_EXPONENT_P, Tag.PRIME_EXPONENT_Q, Tag.CRT_COEFFICIENT);

    private KeyFormats() {
    }

    /**
     * The format an object of the core's keys is described in (its Key Format Type attribute, and
     * what its Digest is computed over), as the core decides it ({@link DigestFormat}).
     */
    static int described(ObjectType object, KeyType type) {
        KeyVersion.Half half = object == ObjectType.PUBLIC_KEY ? KeyVersion.Half.PUBLIC_KEY : KeyVersion.Half.MATERIAL;
        return switch (DigestFormat.of(type, half)) {
            case RAW -> RAW;
            case PKCS_1 -> PKCS_1;
            case PKCS_8 -> PKCS_8;
            case X_509 -> X_509;
        };
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

    /**
     * The key of a Public Key structure as the core keeps it (and parses at each use): X.509 or
     * PKCS#1 key material as it came; none for other formats, which the core does not read.
     */
    static Optional<ObjectPublicKey> corePublicKey(Ttlv keyBlock) {
        Ttlv material = keyBlock.require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL);
        if (material.type() != ItemType.BYTE_STRING) {
            return Optional.empty();
        }
        return switch (keyBlock.require(Tag.KEY_FORMAT_TYPE).asEnum()) {
            case X_509 -> Optional.of(new ObjectPublicKey(ObjectPublicKey.Encoding.X509_SUBJECT_PUBLIC_KEY_INFO,
                    material.asBytes()));
            case PKCS_1 -> Optional.of(new ObjectPublicKey(ObjectPublicKey.Encoding.PKCS1_RSA_PUBLIC_KEY,
                    material.asBytes()));
            default -> Optional.empty();
        };
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

    /**
     * A Transparent RSA Private Key as PKCS#8. All eight fields are required, the form the core
     * keeps; whether they make a consistent key the core checks when it imports the key.
     */
    static Bytes transparentRsaPrivateKey(Ttlv keyMaterial) {
        List<BigInteger> values = new ArrayList<>();
        for (Tag field : RSA_FIELDS) {
            values.add(keyMaterial.find(field).map(Ttlv::asBigInteger).orElseThrow(() -> new KmipFailure(
                    ResultReason.INVALID_FIELD, "a Transparent RSA Private Key needs " + field.xmlName())));
        }
        try {
            RSAPrivateKey rsa = new RSAPrivateKey(values.get(0), values.get(1), values.get(2), values.get(3),
                    values.get(4), values.get(5), values.get(6), values.get(7));
            return Bytes.wrap(new PrivateKeyInfo(
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), rsa).getEncoded());
        } catch (IOException e) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "the Transparent RSA Private Key cannot be encoded");
        }
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
