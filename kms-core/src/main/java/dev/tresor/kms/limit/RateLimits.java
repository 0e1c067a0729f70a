package dev.tresor.kms.limit;

import dev.tresor.kms.tenant.TenantId;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link HourlyBudget} per KMS instance, shared by every front-end. */
public final class RateLimits {
    private final ConcurrentHashMap<TenantId, HourlyBudget> budgets = new ConcurrentHashMap<>();

    /** Counts one call of {@code tenant} against {@code limit}, or throws RATE_LIMITED. */
    public void take(TenantId tenant, long limit, Instant now) {
        budget(tenant, limit).take(now);
    }

    public RateLimitStatus status(TenantId tenant, long limit, Instant now) {
        return budget(tenant, limit).status(now);
    }

    private HourlyBudget budget(TenantId tenant, long limit) {
        HourlyBudget budget = budgets.computeIfAbsent(tenant, t -> new HourlyBudget(limit));
        budget.resize(limit);
        return budget;
    }
}
