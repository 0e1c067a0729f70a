package dev.tresor.kms.key;

import java.util.Map;
import java.util.Objects;

/** A key's new front-end attributes, and the use period one of its versions takes in the same write. */
public record AttributeReplacement(Map<String, String> attributes, UsePeriod period) {
    public AttributeReplacement {
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(period);
    }
}
