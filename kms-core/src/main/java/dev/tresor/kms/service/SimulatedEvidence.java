package dev.tresor.kms.service;

import java.util.Objects;

/** A simulated SEV-SNP report (0x4A0 bytes) and the auxblob certificate table that goes with it. */
public record SimulatedEvidence(Bytes report, Bytes certificateTable) {
    public SimulatedEvidence {
        Objects.requireNonNull(report);
        Objects.requireNonNull(certificateTable);
    }
}
