package dev.tresor.kms.kmip.message;

import dev.tresor.kms.attest.Reason;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmipAttestation;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Credential of type Attestation (spec 1.4 table 6, spec 2.1 table 413): the server's Nonce
 * echoed, the Attestation Type as sent (resolved when an item needs it, so an unknown value is an
 * Attestation Failed answer and not a broken message), and the Measurement and/or Assertion.
 */
public record AttestationCredential(Nonce nonce, int attestationType, Optional<Bytes> measurement,
                                    Optional<Bytes> assertion) {
    /** Credential Type Attestation. */
    static final int CREDENTIAL_TYPE = 3;
    /** A SEV-SNP ATTESTATION_REPORT has a fixed size; what follows it is the certificate table. */
    private static final int SNP_REPORT_BYTES = 0x4A0;

    public AttestationCredential {
        Objects.requireNonNull(nonce);
        Objects.requireNonNull(measurement);
        Objects.requireNonNull(assertion);
        if (measurement.isEmpty() && assertion.isEmpty()) {
            throw KmipFailure.invalidMessage("the Attestation credential needs an Attestation Measurement or Assertion");
        }
    }

    /**
     * The Attestation credential among the Authentication's credentials, if any. In 1.x the
     * Authentication holds exactly one Credential, in 2.x one or more; other credential types
     * (Username and Password, Device ...) are not Tresor's way to authenticate and are ignored.
     */
    static Optional<AttestationCredential> from(Optional<Ttlv> authentication, ProtocolVersion version) {
        if (authentication.isEmpty()) {
            return Optional.empty();
        }
        List<Ttlv> credentials = authentication.get().all(Tag.CREDENTIAL);
        if (credentials.isEmpty() || (!version.isTwoOrLater() && credentials.size() > 1)) {
            throw KmipFailure.invalidMessage("Authentication in KMIP " + version + " holds "
                    + (version.isTwoOrLater() ? "one or more Credentials" : "exactly one Credential"));
        }
        List<Ttlv> attestations = credentials.stream()
                .filter(c -> c.require(Tag.CREDENTIAL_TYPE).asEnum() == CREDENTIAL_TYPE).toList();
        if (attestations.isEmpty()) {
            return Optional.empty();
        }
        if (attestations.size() > 1) {
            throw KmipFailure.invalidMessage("Authentication holds more than one Attestation credential");
        }
        if (!version.atLeast(ProtocolVersion.V1_2)) {
            throw KmipFailure.invalidMessage("the Attestation credential needs KMIP 1.2 or later");
        }
        Ttlv value = attestations.get(0).require(Tag.CREDENTIAL_VALUE);
        if (value.type() != ItemType.STRUCTURE) {
            throw KmipFailure.invalidMessage("the Attestation Credential Value must be a structure");
        }
        return Optional.of(new AttestationCredential(Nonce.from(value.require(Tag.NONCE)),
                value.require(Tag.ATTESTATION_TYPE).asEnum(),
                value.find(Tag.ATTESTATION_MEASUREMENT).map(Ttlv::asBytes),
                value.find(Tag.ATTESTATION_ASSERTION).map(Ttlv::asBytes)));
    }

    /**
     * The credential as the core checks it, bound to the mutual-TLS client certificate of this
     * channel. A SEV-SNP Measurement is the report followed by the certificate table, as configfs-tsm
     * gives them (outblob ‖ auxblob). ATTESTATION_FAILED for a type Tresor does not accept or
     * evidence missing from the field its type uses.
     */
    public KmipAttestation forChannel(X509Certificate clientCertificate) {
        AttestationType type = AttestationType.of(attestationType).orElseThrow(() -> Reason.UNSUPPORTED_FORMAT.error(
                "Attestation Type 0x%08X is not accepted; Tresor takes TPM Quote 1 and 0x80000001-0x80000004"
                        .formatted(attestationType)));
        Optional<Bytes> carried = type.carrier() == AttestationType.Carrier.MEASUREMENT ? measurement : assertion;
        Bytes evidence = carried.orElseThrow(() -> Reason.MALFORMED.error(type + " evidence goes in the Attestation "
                + (type.carrier() == AttestationType.Carrier.MEASUREMENT ? "Measurement" : "Assertion")));
        Optional<Bytes> certificateTable = Optional.empty();
        if (type == AttestationType.SEV_SNP_REPORT && evidence.length() > SNP_REPORT_BYTES) {
            byte[] joined = evidence.toArray();
            certificateTable = Optional.of(Bytes.wrap(Arrays.copyOfRange(joined, SNP_REPORT_BYTES, joined.length)));
            evidence = Bytes.wrap(Arrays.copyOf(joined, SNP_REPORT_BYTES));
        }
        return new KmipAttestation(nonce.id(), nonce.value(), type.evidenceType(), evidence, certificateTable,
                clientCertificate);
    }

    @Override
    public String toString() {
        return "AttestationCredential[type=0x" + Integer.toHexString(attestationType) + "]";
    }
}
