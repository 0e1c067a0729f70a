package dev.tresor.kms.attest.policy;

import java.util.Objects;

/**
 * The outcome of a policy evaluation and the condition that decided it: for a refusal the first
 * failing condition (its path and claim), never the value it expected.
 */
public record Decision(boolean allowed, String decidedBy) {
    public Decision {
        Objects.requireNonNull(decidedBy);
    }
}
