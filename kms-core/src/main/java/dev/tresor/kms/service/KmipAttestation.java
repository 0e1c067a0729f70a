package dev.tresor.kms.service;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * The KMIP Attestation credential of a retried request: the server's Nonce (ID and Value, echoed),
 * the evidence type the front-end read from the Attestation Type ({@code snp}, {@code tdx},
 * {@code tpm}, {@code token}), the Attestation Measurement (or Assertion) bytes, the SNP
 * certificate table when sent, and the mTLS client certificate the evidence binds.
 */
public record KmipAttestation(Bytes nonceId, Bytes nonceValue, String type, Bytes measurement,
                              Optional<Bytes> certificateTable, X509Certificate clientCertificate) {
    public KmipAttestation {
        Objects.requireNonNull(nonceId);
        Objects.requireNonNull(nonceValue);
        Objects.requireNonNull(type);
        Objects.requireNonNull(measurement);
        Objects.requireNonNull(certificateTable);
        Objects.requireNonNull(clientCertificate);
    }
}
