package dev.tresor.kms.service;

import dev.tresor.kms.attest.AttestationTrust;
import dev.tresor.kms.attest.TdxCollateralStore;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import java.util.Objects;
import java.util.Optional;

/**
 * How the core judges evidence: the configured trust, whether simulated evidence may release
 * ({@code attestation.allowSimulated}, on with {@code --dev}), the simulated SEV-SNP platform
 * whose root is then pinned and which answers the dev-only simulated-report call, and the Intel
 * collateral added to every TDX verification.
 */
public record AttestationOptions(AttestationTrust trust, boolean allowSimulated, Optional<SimulatedSnp> simulator,
                                 TdxCollateralStore collateral) {
    public AttestationOptions {
        Objects.requireNonNull(trust);
        Objects.requireNonNull(simulator);
        Objects.requireNonNull(collateral);
        if (simulator.isPresent() && !allowSimulated) {
            throw new IllegalArgumentException("a simulated TEE needs attestation.allowSimulated");
        }
    }

    /** Without configured collateral. */
    public AttestationOptions(AttestationTrust trust, boolean allowSimulated, Optional<SimulatedSnp> simulator) {
        this(trust, allowSimulated, simulator, TdxCollateralStore.empty());
    }

    /** Built-in trust, no simulation. */
    public static AttestationOptions production() {
        return new AttestationOptions(AttestationTrust.defaults(), false, Optional.empty());
    }

    /** Built-in trust plus the simulated platform (dev mode, tests). */
    public static AttestationOptions simulated(SimulatedSnp simulator) {
        return new AttestationOptions(AttestationTrust.defaults(), true, Optional.of(simulator));
    }

    /** The same options with the operator's Intel collateral. */
    public AttestationOptions withCollateral(TdxCollateralStore newCollateral) {
        return new AttestationOptions(trust, allowSimulated, simulator, newCollateral);
    }

    /** The trust the verifiers use: the simulated root is pinned only while simulation is allowed. */
    AttestationTrust effectiveTrust() {
        return simulator.filter(s -> allowSimulated).map(s -> trust.withSimulatedArk(s.ark())).orElse(trust);
    }
}
