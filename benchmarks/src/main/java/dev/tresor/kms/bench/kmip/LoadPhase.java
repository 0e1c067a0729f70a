package dev.tresor.kms.bench.kmip;

import dev.tresor.kms.bench.kmip.KmipRequests.RefusedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;

/**
 * One closed-loop phase: {@code connections} TLS connections, each on its own thread with one
 * request in flight, sending the workload's request until the phase ends. Operations that start
 * during the warm-up are not counted; the measured window runs from the end of the warm-up to the
 * last counted answer.
 */
final class LoadPhase {
    private final SSLContext tls;
    private final String host;
    private final int port;

    LoadPhase(SSLContext tls, String host, int port) {
        this.tls = tls;
        this.host = host;
        this.port = port;
    }

    PhaseResult run(String server, Workload workload, int connections, Duration warmup, Duration measured)
            throws IOException, RefusedException, InterruptedException {
        byte[] request;
        try (KmipChannel setup = new KmipChannel(tls, host, port)) {
            request = workload.prepare(setup);
        }
        List<KmipChannel> channels = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        try {
            for (int i = 0; i < connections; i++) {
                channels.add(new KmipChannel(tls, host, port));
            }
            long measureFrom = System.nanoTime() + warmup.toNanos();
            long end = measureFrom + measured.toNanos();
            List<Future<Tally>> tallies = new ArrayList<>();
            for (KmipChannel channel : channels) {
                tallies.add(threads.submit(() -> drive(channel, request, workload, measureFrom, end)));
            }
            List<Tally> done = new ArrayList<>();
            for (Future<Tally> tally : tallies) {
                done.add(tally.get());
            }
            return result(server, workload, connections, measureFrom, done);
        } catch (ExecutionException e) {
            throw new IOException("a connection failed during the phase: " + e.getCause(), e.getCause());
        } finally {
            threads.shutdownNow();
            for (KmipChannel channel : channels) {
                channel.close();
            }
        }
    }

    private static Tally drive(KmipChannel channel, byte[] request, Workload workload, long measureFrom, long end)
            throws IOException {
        Tally tally = new Tally();
        for (long start = System.nanoTime(); start < end; start = System.nanoTime()) {
            try {
                workload.check(KmipRequests.payload(channel.call(request)));
                long finished = System.nanoTime();
                if (start >= measureFrom) {
                    tally.latencies.add(finished - start);
                    tally.lastAnswer = Math.max(tally.lastAnswer, finished);
                }
            } catch (RefusedException e) {
                if (start >= measureFrom) {
                    tally.refusals++;
                }
                if (tally.firstRefusal.isEmpty()) {
                    tally.firstRefusal = Optional.of(e.getMessage());
                }
            }
        }
        return tally;
    }

    private static PhaseResult result(String server, Workload workload, int connections, long measureFrom,
                                      List<Tally> tallies) {
        long[] sorted = Latencies.merged(tallies.stream().map(t -> t.latencies).toList());
        long lastAnswer = Math.max(measureFrom,
                tallies.stream().mapToLong(t -> t.lastAnswer).max().orElse(measureFrom));
        return new PhaseResult(server, workload, connections, sorted.length, (lastAnswer - measureFrom) / 1e9,
                Latencies.percentileMillis(sorted, 50), Latencies.percentileMillis(sorted, 99),
                tallies.stream().mapToLong(t -> t.refusals).sum(),
                tallies.stream().map(t -> t.firstRefusal).flatMap(Optional::stream).findFirst());
    }

    /** One connection's share of a phase; confined to its thread until the phase ends. */
    private static final class Tally {
        private final Latencies latencies = new Latencies();
        private long lastAnswer = Long.MIN_VALUE;
        private long refusals;
        private Optional<String> firstRefusal = Optional.empty();
    }
}
