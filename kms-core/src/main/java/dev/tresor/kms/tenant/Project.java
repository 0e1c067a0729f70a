package dev.tresor.kms.tenant;

import java.time.Instant;
import java.util.Objects;

/**
 * A project: its KMS instances (one per region) share its tokens and settings.
 * {@code callsPerHour} is the rolling-hour budget of each instance; {@code kmipLegacy} holds what the
 * project allows legacy KMIP clients.
 */
public record Project(String id, Instant createdAt, long callsPerHour, KmipLegacy kmipLegacy) {
    public static final long DEFAULT_CALLS_PER_HOUR = 10_000;
    public static final long MAX_CALLS_PER_HOUR = 10_000_000;

    public Project {
        Objects.requireNonNull(id);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(kmipLegacy);
        if (callsPerHour < 1 || callsPerHour > MAX_CALLS_PER_HOUR) {
            throw new IllegalArgumentException("callsPerHour must be positive");
        }
    }
}
