package dev.tresor.kms.bench.kmip;

import java.util.Arrays;
import java.util.List;

/** Every latency of a phase in nanoseconds, kept whole so that percentiles are exact. */
public final class Latencies {
    private long[] values = new long[1 << 14];
    private int count;

    public void add(long nanos) {
        if (count == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[count++] = nanos;
    }

    public int count() {
        return count;
    }

    /** The workers' latencies together, sorted. */
    public static long[] merged(List<Latencies> parts) {
        long[] all = new long[parts.stream().mapToInt(Latencies::count).sum()];
        int at = 0;
        for (Latencies part : parts) {
            System.arraycopy(part.values, 0, all, at, part.count);
            at += part.count;
        }
        Arrays.sort(all);
        return all;
    }

    /** Nearest-rank percentile of sorted values, in milliseconds; 0 when there are none. */
    public static double percentileMillis(long[] sorted, double percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percent / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1] / 1e6;
    }
}
