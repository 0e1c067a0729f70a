package dev.tresor.kms.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link TlsRecordBenchmark}'s round trip timed with the thread's CPU clock instead of the wall
 * clock, for a shared machine where other load makes JMH's scores meaningless. Every engine and
 * suite of the benchmark; best of five rounds of 100,000 after 300,000 warm-up calls.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.tresor.kms.bench.TlsRecordCpuTime</pre>
 */
public final class TlsRecordCpuTime {
    private static final int ROUND = 100_000;
    private static final String[] ENGINES = {"jdk", "openssl"};
    private static final String[] SUITES = {"TLSv1.3:TLS_AES_256_GCM_SHA384", "TLSv1.3:TLS_AES_128_GCM_SHA256",
            "TLSv1.3:TLS_CHACHA20_POLY1305_SHA256", "TLSv1.2:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLSv1.2:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};

    private TlsRecordCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (String engine : ENGINES) {
            for (String suite : SUITES) {
                TlsRecordBenchmark benchmark = new TlsRecordBenchmark();
                benchmark.engine = engine;
                benchmark.suite = suite;
                benchmark.size = 1024;
                benchmark.setUp();
                for (int i = 0; i < 3 * ROUND; i++) {
                    benchmark.requestAndAnswer();
                }
                long best = Long.MAX_VALUE;
                for (int round = 0; round < 5; round++) {
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < ROUND; i++) {
                        benchmark.requestAndAnswer();
                    }
                    best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
                }
                System.out.printf("%-8s %-48s %6.2f us CPU per request + answer%n", engine, suite,
                        best / 1000.0 / ROUND);
            }
        }
    }
}
