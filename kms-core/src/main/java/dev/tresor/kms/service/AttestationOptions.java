package dev.tresor.kms.service;

import dev.tresor.kms.attest.AttestationTrust;
import dev.tresor.kms.attest.sim.SimulatedSnp;
import java.util.Objects;
import java.util.Optional;

/**
 * How the core judges evidence: the configured trust, whether simulated evidence may release
 * ({@code attestation.allowSimulated}, on with {@code --dev}), and the simulated SEV-SNP platform
 * whose root is then pinned and which answers the dev-only simulated-report call.
 */
public record AttestationOptions(AttestationTrust trust, boolean allowSimulated, Optional<SimulatedSnp> simulator) {
    public AttestationOptions {
        Objects.requireNonNull(trust);
        Objects.requireNonNull(simulator);
        if (simulator.isPresent() && !allowSimulated) {
            throw new IllegalArgumentException("a simulated TEE needs attestation.allowSimulated");
        }
    }

    /** Built-in trust, no simulation. */
    public static AttestationOptions production() {
        return new AttestationOptions(AttestationTrust.defaults(), false, Optional.empty());
    }

    /** Built-in trust plus the simulated platform (dev mode, tests). */
    public static AttestationOptions simulated(SimulatedSnp simulator) {
        return new AttestationOptions(AttestationTrust.defaults(), true, Optional.of(simulator));
    }

    /** The trust the verifiers use: the simulated root is pinned only while simulation is allowed. */
    AttestationTrust effectiveTrust() {
        return simulator.filter(s -> allowSimulated).map(s -> trust.withSimulatedArk(s.ark())).orElse(trust);
    }
}
