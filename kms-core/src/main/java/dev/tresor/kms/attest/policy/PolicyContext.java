package dev.tresor.kms.attest.policy;

import java.util.List;
import java.util.Map;

/**
 * What a policy is validated against: whether sim-snp may be named, and the named reference
 * sets {@code {"in": {"ref": name}}} may use.
 */
public record PolicyContext(boolean simulationAllowed, Map<String, List<Object>> referenceSets) {
    public PolicyContext {
        referenceSets = Map.copyOf(referenceSets);
    }

    public static PolicyContext production() {
        return new PolicyContext(false, Map.of());
    }
}
