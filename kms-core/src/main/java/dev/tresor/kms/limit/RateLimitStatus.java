package dev.tresor.kms.limit;

import java.time.Instant;

/**
 * A KMS instance's budget as the RateLimit-* headers report it: the limit, the calls left in the
 * current rolling hour, and when the oldest counted call leaves the window.
 */
public record RateLimitStatus(long limit, long remaining, Instant reset) {
}
