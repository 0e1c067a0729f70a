package dev.tresor.kms.kmip.ttlv;

import dev.tresor.kms.service.KmsError;

/** What a text-encoded message (JSON, XML) may still hold: checked before each item is read. */
final class ItemBudget {
    private final TtlvLimits limits;
    private int items;

    ItemBudget(TtlvLimits limits) {
        this.limits = limits;
    }

    /** Counts one more item at {@code depth} (the message itself is depth 1). */
    void spend(int depth) {
        if (depth > limits.maxDepth()) {
            throw KmsError.invalid("structures nest deeper than " + limits.maxDepth());
        }
        if (++items > limits.maxItems()) {
            throw KmsError.invalid("more than " + limits.maxItems() + " items");
        }
    }
}
