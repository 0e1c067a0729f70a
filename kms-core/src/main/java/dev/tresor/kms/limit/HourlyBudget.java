package dev.tresor.kms.limit;

import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.Project;
import java.time.Duration;
import java.time.Instant;

/**
 * At most N calls in any rolling hour, exactly: a ring of the last N call times. A call is
 * refused while the N-th most recent call is under an hour old, and may retry when that call
 * leaves the window. Refused calls are not recorded, so a client that keeps trying is let in as
 * soon as the window allows. Thread-safe.
 */
public final class HourlyBudget {
    static final Duration WINDOW = Duration.ofHours(1);

    private long[] times;
    private int next;
    private int count;

    public HourlyBudget(long limit) {
        times = new long[checkedLimit(limit)];
    }

    /** Records a call at {@code now}, or throws RATE_LIMITED with the time to wait. */
    public synchronized void take(Instant now) {
        long nowMillis = now.toEpochMilli();
        if (count == times.length) {
            long oldest = times[next];
            long leavesAt = oldest + WINDOW.toMillis();
            if (nowMillis < leavesAt) {
                throw KmsError.rateLimited(Duration.ofMillis(leavesAt - nowMillis));
            }
        }
        times[next] = nowMillis;
        next = (next + 1) % times.length;
        count = Math.min(count + 1, times.length);
    }

    public synchronized RateLimitStatus status(Instant now) {
        long windowStart = now.toEpochMilli() - WINDOW.toMillis();
        int low = 0;
        int high = count;
        while (low < high) { // first call still inside the window; the ring is in call order
            int mid = (low + high) >>> 1;
            if (chronological(mid) <= windowStart) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        int inWindow = count - low;
        Instant reset = inWindow == 0 ? now : Instant.ofEpochMilli(chronological(low)).plus(WINDOW);
        return new RateLimitStatus(times.length, times.length - inWindow, reset);
    }

    /** The j-th recorded call time, oldest first. */
    private long chronological(int j) {
        return times[Math.floorMod(next - count + j, times.length)];
    }

    /** Changes the limit, keeping the most recent calls that still fit. */
    public synchronized void resize(long limit) {
        int size = checkedLimit(limit);
        if (size == times.length) {
            return;
        }
        long[] resized = new long[size];
        int kept = Math.min(count, size);
        for (int j = 0; j < kept; j++) {
            resized[j] = chronological(count - kept + j);
        }
        times = resized;
        count = kept;
        next = kept % size;
    }

    private static int checkedLimit(long limit) {
        if (limit < 1 || limit > Project.MAX_CALLS_PER_HOUR) {
            throw KmsError.invalid("calls per hour must be between 1 and " + Project.MAX_CALLS_PER_HOUR);
        }
        return (int) limit;
    }
}
