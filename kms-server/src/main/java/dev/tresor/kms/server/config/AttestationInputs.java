package dev.tresor.kms.server.config;

import dev.tresor.kms.attest.AttestationTrust;
import dev.tresor.kms.attest.TdxCollateralStore;
import java.util.Objects;

/**
 * The attestation inputs read from the configured files at start-up: the trust (AMD and Intel
 * certificates, ARK pins, token issuers) and the Intel collateral with its CRLs.
 */
public record AttestationInputs(AttestationTrust trust, TdxCollateralStore collateral) {
    public AttestationInputs {
        Objects.requireNonNull(trust);
        Objects.requireNonNull(collateral);
    }
}
