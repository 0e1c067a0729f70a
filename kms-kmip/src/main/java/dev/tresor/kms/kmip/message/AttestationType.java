package dev.tresor.kms.kmip.message;

import java.util.Optional;

/**
 * The Attestation Types Tresor checks (KMIP.md section 3): the standard TPM Quote and the vendor
 * values 0x80000001-0x80000004, each with the core's evidence type and the credential field that
 * carries it. TCG Integrity Reports and SAML Assertions are not accepted.
 */
public enum AttestationType {
    SEV_SNP_REPORT(0x80000001, "snp", Carrier.MEASUREMENT),
    TDX_QUOTE(0x80000002, "tdx", Carrier.MEASUREMENT),
    TPM2_QUOTE(0x80000003, "tpm", Carrier.MEASUREMENT),
    TOKEN(0x80000004, "token", Carrier.ASSERTION),
    TPM_QUOTE(0x00000001, "tpm", Carrier.MEASUREMENT);

    /** Which field of the credential holds the evidence. */
    public enum Carrier { MEASUREMENT, ASSERTION }

    private final int code;
    private final String evidenceType;
    private final Carrier carrier;

    AttestationType(int code, String evidenceType, Carrier carrier) {
        this.code = code;
        this.evidenceType = evidenceType;
        this.carrier = carrier;
    }

    public int code() {
        return code;
    }

    /** The core's evidence type ({@code snp}, {@code tdx}, {@code tpm}, {@code token}). */
    public String evidenceType() {
        return evidenceType;
    }

    public Carrier carrier() {
        return carrier;
    }

    public static Optional<AttestationType> of(int code) {
        for (AttestationType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
