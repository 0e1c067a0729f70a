package dev.tresor.kms.bench.kmip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatenciesTest {
    @Test
    void percentilesAreNearestRankOverEveryWorkersValues() {
        Latencies first = new Latencies();
        Latencies second = new Latencies();
        for (int i = 1; i <= 100_000; i++) {
            (i % 2 == 0 ? first : second).add(i * 1_000L);
        }
        long[] sorted = Latencies.merged(List.of(first, second));

        assertEquals(100_000, sorted.length);
        assertEquals(50.0, Latencies.percentileMillis(sorted, 50));
        assertEquals(99.0, Latencies.percentileMillis(sorted, 99));
        assertEquals(0.001, Latencies.percentileMillis(sorted, 0));
    }

    @Test
    void noValuesGiveZero() {
        long[] sorted = Latencies.merged(List.of(new Latencies()));

        assertArrayEquals(new long[0], sorted);
        assertEquals(0, Latencies.percentileMillis(sorted, 99));
    }
}
