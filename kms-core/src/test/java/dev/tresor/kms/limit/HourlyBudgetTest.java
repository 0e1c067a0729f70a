package dev.tresor.kms.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HourlyBudgetTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void refusesTheCallAfterTheLimitUntilTheOldestLeavesTheWindow() {
        HourlyBudget budget = new HourlyBudget(3);
        budget.take(T0);
        budget.take(T0.plusSeconds(10));
        budget.take(T0.plusSeconds(20));

        KmsError refused = assertThrows(KmsError.class, () -> budget.take(T0.plusSeconds(30)));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
        assertEquals(Duration.ofSeconds(3570), refused.retryAfter().orElseThrow());

        assertThrows(KmsError.class, () -> budget.take(T0.plus(Duration.ofHours(1)).minusMillis(1)));
        budget.take(T0.plus(Duration.ofHours(1)));
        assertThrows(KmsError.class, () -> budget.take(T0.plus(Duration.ofHours(1)).plusSeconds(5)));
        budget.take(T0.plus(Duration.ofHours(1)).plusSeconds(10));
    }

    @Test
    void statusCountsOnlyCallsInsideTheRollingHour() {
        HourlyBudget budget = new HourlyBudget(10);
        assertEquals(new RateLimitStatus(10, 10, T0), budget.status(T0));
        budget.take(T0);
        budget.take(T0.plusSeconds(600));
        budget.take(T0.plusSeconds(1200));

        assertEquals(new RateLimitStatus(10, 7, T0.plus(Duration.ofHours(1))), budget.status(T0.plusSeconds(1300)));
        assertEquals(new RateLimitStatus(10, 8, T0.plusSeconds(600).plus(Duration.ofHours(1))),
                budget.status(T0.plus(Duration.ofHours(1))));
        assertEquals(10, budget.status(T0.plus(Duration.ofHours(3))).remaining());
    }

    @Test
    void refusedCallsDoNotExtendTheWindow() {
        HourlyBudget budget = new HourlyBudget(1);
        budget.take(T0);
        for (int i = 1; i < 100; i++) {
            Instant attempt = T0.plusSeconds(i * 30L);
            assertThrows(KmsError.class, () -> budget.take(attempt));
        }
        budget.take(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void resizeKeepsTheMostRecentCalls() {
        HourlyBudget budget = new HourlyBudget(5);
        for (int i = 0; i < 5; i++) {
            budget.take(T0.plusSeconds(i));
        }
        budget.resize(2);
        assertEquals(0, budget.status(T0.plusSeconds(10)).remaining());
        assertEquals(T0.plusSeconds(3).plus(Duration.ofHours(1)), budget.status(T0.plusSeconds(10)).reset());
        budget.resize(4);
        assertEquals(2, budget.status(T0.plusSeconds(10)).remaining());
        budget.take(T0.plusSeconds(11));
        budget.take(T0.plusSeconds(12));
        assertThrows(KmsError.class, () -> budget.take(T0.plusSeconds(13)));
    }

    @Test
    void limitMustBePositive() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(KmsError.class, () -> new HourlyBudget(0)).code());
    }
}
