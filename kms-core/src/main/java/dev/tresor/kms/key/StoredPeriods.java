package dev.tresor.kms.key;

import java.util.Map;

/**
 * What a front-end's stored attributes give a key's versions, for the core's use-period pass:
 * the period of each version it has dates for, which fills a version the core keeps none for;
 * or, for a key the front-end's rule keeps no period for in the core, that rule, which removes
 * any period an earlier build gave it.
 */
public record StoredPeriods(Map<Long, UsePeriod> periods, boolean keptByTheCore) {
    public StoredPeriods {
        periods = Map.copyOf(periods);
    }

    /** Fills the versions without a period in the core with these; a version that has one keeps it. */
    public static StoredPeriods fill(Map<Long, UsePeriod> periods) {
        return new StoredPeriods(periods, true);
    }

    /** The key keeps no period in the core: a period an earlier build gave a version is removed. */
    public static StoredPeriods none() {
        return new StoredPeriods(Map.of(), false);
    }
}
