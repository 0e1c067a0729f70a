package dev.tresor.kms.service;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import java.util.Optional;

/**
 * What a workload sends to prove itself with one call: the challenge it answers, the evidence
 * type ({@code snp}, {@code tdx}, {@code tpm}, {@code token}, {@code az-snp-vtpm}, ...), the
 * evidence, the SNP certificate table (auxblob) when it has one, and the DER SubjectPublicKeyInfo
 * of its ephemeral key, which the evidence binds (REST profile) and the answer is encrypted to.
 */
public record Evidence(String nonceId, String type, Bytes evidence, Optional<Bytes> certificateTable,
                       Bytes workloadKey) {
    public Evidence {
        Objects.requireNonNull(nonceId);
        Objects.requireNonNull(type);
        Objects.requireNonNull(evidence);
        Objects.requireNonNull(certificateTable);
        Objects.requireNonNull(workloadKey);
    }

    /** The workload key; INVALID_ARGUMENT unless it is an RSA or EC SubjectPublicKeyInfo. */
    public PublicKey publicKey() {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(workloadKey.toArray());
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(spec);
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw KmsError.invalid("publicKey is not a DER SubjectPublicKeyInfo of an RSA or EC key");
    }
}
