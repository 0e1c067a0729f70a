package dev.tresor.kms.key;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A key's new front-end attributes, the use period one of its versions takes in the same write, and
 * the lifecycle step the key or that version undergoes in that write, if any (KMIP Revoke and
 * Destroy: the attributes that say so are saved with it, or neither is).
 */
public record AttributeReplacement(Map<String, String> attributes, UsePeriod period, Optional<LifecycleStep> step) {
    public AttributeReplacement {
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(period);
        Objects.requireNonNull(step);
    }

    /** A replacement that changes nothing else. */
    public AttributeReplacement(Map<String, String> attributes, UsePeriod period) {
        this(attributes, period, Optional.empty());
    }
}
