package dev.tresor.kms.bench.kmip;

import java.util.Locale;
import java.util.Optional;

/** What one phase measured: successful operations per wall-clock second and their latency. */
record PhaseResult(String server, Workload workload, int connections, long operations, double seconds,
                   double p50Millis, double p99Millis, long refusals, Optional<String> firstRefusal) {

    double opsPerSecond() {
        return seconds > 0 ? operations / seconds : 0;
    }

    /** One row of the table in docs/benchmarks.md. */
    String markdownRow() {
        return String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %.2f | %.2f | %d |", server, workload.title(),
                connections, opsPerSecond(), p50Millis, p99Millis, refusals);
    }

    static String markdownHeader() {
        return "| server | operation | connections | ops/s | p50 ms | p99 ms | refused |\n"
                + "|---|---|---|---|---|---|---|";
    }
}
