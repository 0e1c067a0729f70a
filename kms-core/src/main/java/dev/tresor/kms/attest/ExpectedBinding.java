package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tresor.kms.service.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a front-end's challenge becomes the 64 bytes the evidence must carry (report_data, TPM
 * extraData, a token's binding claim). Verifiers only ever see {@link #reportData()}.
 */
public sealed interface ExpectedBinding {

    byte[] reportData();

    /** REST: SHA-512(nonce ‖ DER SubjectPublicKeyInfo of the workload's ephemeral key). */
    record Native(Bytes nonce, PublicKey workloadKey) implements ExpectedBinding {
        public Native {
            Objects.requireNonNull(nonce);
            Objects.requireNonNull(workloadKey);
        }

        @Override
        public byte[] reportData() {
            MessageDigest sha512 = Certificates.digest("SHA-512");
            sha512.update(nonce.toArray());
            return sha512.digest(workloadKey.getEncoded());
        }
    }

    /** KMIP: SHA-512(Nonce ID ‖ Nonce Value ‖ SHA-256(DER SPKI of the mTLS client certificate)). */
    record Kmip(Bytes nonceId, Bytes nonceValue, X509Certificate clientCertificate) implements ExpectedBinding {
        public Kmip {
            Objects.requireNonNull(nonceId);
            Objects.requireNonNull(nonceValue);
            Objects.requireNonNull(clientCertificate);
        }

        @Override
        public byte[] reportData() {
            byte[] spkiHash = Certificates.digest("SHA-256").digest(clientCertificate.getPublicKey().getEncoded());
            MessageDigest sha512 = Certificates.digest("SHA-512");
            sha512.update(nonceId.toArray());
            sha512.update(nonceValue.toArray());
            return sha512.digest(spkiHash);
        }
    }

    /**
     * KBS (CoCo guest components): H(JCS(runtime-data)) zero-padded to 64 bytes, where
     * runtime-data is {@code {"additional-evidence", "nonce", "tee-pubkey"}} and H is the hash the
     * challenge selected (SHA-384 by default).
     */
    record Kbs(JsonNode runtimeData, String hash) implements ExpectedBinding {
        public Kbs {
            Objects.requireNonNull(runtimeData);
            if (!hash.equals("sha256") && !hash.equals("sha384") && !hash.equals("sha512")) {
                throw new IllegalArgumentException("KBS hash must be sha256, sha384 or sha512");
            }
        }

        @Override
        public byte[] reportData() {
            String algorithm = "SHA-" + hash.substring(3);
            byte[] digest = Certificates.digest(algorithm)
                    .digest(CanonicalJson.of(runtimeData).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, 64);
        }
    }

    /** The exact bytes, for tests with recorded evidence. */
    record Raw(Bytes value) implements ExpectedBinding {
        public Raw {
            Objects.requireNonNull(value);
        }

        @Override
        public byte[] reportData() {
            return value.toArray();
        }
    }
}
