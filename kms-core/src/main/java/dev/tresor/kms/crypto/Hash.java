package dev.tresor.kms.crypto;

import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.security.spec.MGF1ParameterSpec;
import java.util.HexFormat;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/** The hash functions Tresor's schemes use, with every name and constant they need. */
enum Hash {
    SHA1("SHA-1", "SHA1", 20, MGF1ParameterSpec.SHA1, "3021300906052b0e03021a05000414"),
    SHA256("SHA-256", "SHA256", 32, MGF1ParameterSpec.SHA256, "3031300d060960864801650304020105000420"),
    SHA384("SHA-384", "SHA384", 48, MGF1ParameterSpec.SHA384, "3041300d060960864801650304020205000430"),
    SHA512("SHA-512", "SHA512", 64, MGF1ParameterSpec.SHA512, "3051300d060960864801650304020305000440");

    private final String jcaName;
    private final String signaturePrefix;
    private final int length;
    private final MGF1ParameterSpec mgf1;
    private final byte[] digestInfoPrefix;

    Hash(String jcaName, String signaturePrefix, int length, MGF1ParameterSpec mgf1, String digestInfoPrefixHex) {
        this.jcaName = jcaName;
        this.signaturePrefix = signaturePrefix;
        this.length = length;
        this.mgf1 = mgf1;
        this.digestInfoPrefix = HexFormat.of().parseHex(digestInfoPrefixHex);
    }

    static Hash of(Scheme scheme) {
        return named(scheme.hash());
    }

    /** The hash with this JCA name ({@code SHA-256} ...). */
    static Hash named(String jcaName) {
        for (Hash h : values()) {
            if (h.jcaName.equals(jcaName)) {
                return h;
            }
        }
        throw KmsError.invalid("unsupported hash '" + jcaName + "'; supported: SHA-1, SHA-256, SHA-384, SHA-512");
    }

    String jcaName() {
        return jcaName;
    }

    /** The hash's part of a JCA signature name, as in {@code SHA256withECDSA}. */
    String signaturePrefix() {
        return signaturePrefix;
    }

    /** Output length in bytes. */
    int length() {
        return length;
    }

    MGF1ParameterSpec mgf1() {
        return mgf1;
    }

    /** The DER DigestInfo of {@code digest}, which PKCS#1 v1.5 signatures sign. */
    byte[] digestInfo(byte[] digest) {
        byte[] out = new byte[digestInfoPrefix.length + digest.length];
        System.arraycopy(digestInfoPrefix, 0, out, 0, digestInfoPrefix.length);
        System.arraycopy(digest, 0, out, digestInfoPrefix.length, digest.length);
        return out;
    }

    /** A fresh BouncyCastle digest, for the prehashed RSA-PSS path the JDK lacks. */
    Digest newBcDigest() {
        return switch (this) {
            case SHA1 -> new SHA1Digest();
            case SHA256 -> new SHA256Digest();
            case SHA384 -> new SHA384Digest();
            case SHA512 -> new SHA512Digest();
        };
    }
}
