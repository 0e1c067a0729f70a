package dev.tresor.kms.key;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A key's new front-end attributes, the use period one of its versions takes in the same write, and
 * the revocation that version undergoes in that write, if any (KMIP Revoke: the attributes that say
 * so are saved with it, or neither is).
 */
public record AttributeReplacement(Map<String, String> attributes, UsePeriod period, Optional<Revocation> revocation) {
    public AttributeReplacement {
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(period);
        Objects.requireNonNull(revocation);
    }

    /** A replacement that revokes nothing. */
    public AttributeReplacement(Map<String, String> attributes, UsePeriod period) {
        this(attributes, period, Optional.empty());
    }
}
