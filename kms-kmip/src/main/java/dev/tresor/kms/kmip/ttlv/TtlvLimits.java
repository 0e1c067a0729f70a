package dev.tresor.kms.kmip.ttlv;

/**
 * Bounds a decoder enforces before it allocates anything for a message.
 *
 * @param maxMessageBytes largest whole message, header included
 * @param maxDepth deepest nesting of structures (the message itself is depth 1)
 * @param maxItems most items, structures included, in one message
 */
public record TtlvLimits(int maxMessageBytes, int maxDepth, int maxItems) {
    public static final TtlvLimits DEFAULT = new TtlvLimits(1 << 20, 32, 100_000);

    public TtlvLimits {
        if (maxMessageBytes < 8 || maxDepth < 1 || maxItems < 1) {
            throw new IllegalArgumentException("TTLV limits must be positive and allow at least one header");
        }
    }

    public TtlvLimits withMaxMessageBytes(int bytes) {
        return new TtlvLimits(bytes, maxDepth, maxItems);
    }
}
