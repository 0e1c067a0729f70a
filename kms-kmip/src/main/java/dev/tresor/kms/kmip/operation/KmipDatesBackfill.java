package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.StoredPeriods;
import dev.tresor.kms.key.UsePeriod;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the core's use-period pass ({@code KmsCore.backfillUsePeriods}) reads from a key stored
 * before the core kept KMIP's Protect Stop and Process Start Dates: they were only in its stored
 * KMIP attributes, so another front-end (REST) could use it outside them. As {@link KmipObjects}
 * saves them, a version's period is its secret object's ({@link ObjectAccess#corePeriod}): a key
 * pair gets none, KMIP checks each half's own dates, and loses the private object's dates that a
 * build between the core keeping dates and that rule gave it.
 */
public final class KmipDatesBackfill {
    /**
     * The rule {@link #storedPeriods} reads by (the key pair clearing is its second): change it
     * whenever that reads otherwise for a stored key, so the next pass goes over every key again.
     */
    public static final String RULE = "kmip-dates-2";

    private KmipDatesBackfill() {
    }

    /**
     * The period of each version of {@code key} whose secret object has stored KMIP attributes,
     * whatever the key's ring (none for a key KMIP never stored); for a key pair, that the core
     * keeps none.
     */
    public static StoredPeriods storedPeriods(Key key) {
        if (key.type().isAsymmetric()) {
            return StoredPeriods.none();
        }
        Map<Long, UsePeriod> periods = new TreeMap<>();
        for (long version = 1; version <= key.lastVersion(); version++) {
            long number = version;
            KmipObjects.decode(key.attributes(), number, false).map(ObjectAccess::usePeriod)
                    .ifPresent(period -> periods.put(number, period));
        }
        return StoredPeriods.fill(periods);
    }
}
