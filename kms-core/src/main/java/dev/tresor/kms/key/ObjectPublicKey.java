package dev.tresor.kms.key;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.util.Objects;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The key of a public key registered alone, as the core keeps it beside the object's value (which
 * is the front-end's own form of the object): DER in one of the encodings the core reads. It is
 * stored as registered and parsed at each use, so a value that does not parse is refused then.
 */
public record ObjectPublicKey(Encoding encoding, Bytes der) {
    /** The DER encodings the core reads. */
    public enum Encoding {
        /** X.509 SubjectPublicKeyInfo (RSA or EC). */
        X509_SUBJECT_PUBLIC_KEY_INFO,
        /** PKCS#1 RSAPublicKey (RSA only). */
        PKCS1_RSA_PUBLIC_KEY
    }

    public ObjectPublicKey {
        Objects.requireNonNull(encoding);
        Objects.requireNonNull(der);
    }

    /** The key as X.509 SubjectPublicKeyInfo, which the crypto layer parses further. */
    byte[] subjectPublicKeyInfo() {
        if (encoding == Encoding.X509_SUBJECT_PUBLIC_KEY_INFO) {
            return der.toArray();
        }
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    RSAPublicKey.getInstance(der.toArray())).getEncoded();
        } catch (IOException | RuntimeException e) { // BouncyCastle reports malformed DER with several unchecked types
            throw KmsError.invalid("the public key is not a PKCS#1 RSAPublicKey (DER)");
        }
    }
}
