package dev.tresor.kms.bench.kmip;

import dev.tresor.kms.bench.kmip.KmipRequests.RefusedException;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * One closed-loop phase: {@code connections} TLS connections, each with one request in flight,
 * sending the workload's request until the phase ends. One thread drives every connection
 * through a selector (as wrk does), so the client's share of this machine's two cores stays small
 * and no thread switch is paid per answer. Operations that start during the warm-up are not
 * counted; the measured window runs from the end of the warm-up to the last counted answer.
 */
final class LoadPhase {
    private static final int TIMEOUT_MILLIS = 30_000;

    private final SSLContext tls;
    private final String host;
    private final int port;

    LoadPhase(SSLContext tls, String host, int port) {
        this.tls = tls;
        this.host = host;
        this.port = port;
    }

    PhaseResult run(String server, Workload workload, int connections, Duration warmup, Duration measured)
            throws IOException, RefusedException {
        byte[] request;
        try (KmipChannel setup = new KmipChannel(tls, host, port)) {
            request = workload.prepare(setup);
        }
        List<KmipChannel> channels = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < connections; i++) {
                channels.add(new KmipChannel(tls, host, port));
            }
            long measureFrom = System.nanoTime() + warmup.toNanos();
            long end = measureFrom + measured.toNanos();
            Tally tally = new Tally();
            for (KmipChannel channel : channels) {
                new Exchange(channel, channel.register(selector)).start(request);
            }
            for (int open = connections; open > 0; ) {
                if (selector.select(TIMEOUT_MILLIS) == 0) {
                    throw new SocketTimeoutException("no answer within " + TIMEOUT_MILLIS + " ms");
                }
                // every answer of this batch was there when select returned, whichever is handled first
                long finished = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    Exchange exchange = (Exchange) key.attachment();
                    if (key.isWritable()) {
                        exchange.flush();
                    }
                    Ttlv answer = key.isReadable() ? exchange.channel.receive() : null;
                    if (answer != null) {
                        tally.count(workload, answer, exchange.started, finished, measureFrom);
                        if (System.nanoTime() < end) {
                            exchange.start(request);
                        } else {
                            key.cancel();
                            open--;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            return result(server, workload, connections, measureFrom, tally);
        } finally {
            for (KmipChannel channel : channels) {
                channel.close();
            }
        }
    }

    private static PhaseResult result(String server, Workload workload, int connections, long measureFrom,
                                      Tally tally) {
        long[] sorted = Latencies.merged(List.of(tally.latencies));
        long lastAnswer = Math.max(measureFrom, tally.lastAnswer);
        return new PhaseResult(server, workload, connections, sorted.length, (lastAnswer - measureFrom) / 1e9,
                Latencies.percentileMillis(sorted, 50), Latencies.percentileMillis(sorted, 99),
                tally.refusals, tally.firstRefusal);
    }

    /** A connection's request in flight: when it was sent, and the rest of it still to write. */
    private static final class Exchange {
        private final KmipChannel channel;
        private final SelectionKey key;
        private long started;

        Exchange(KmipChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
            key.attach(this);
        }

        void start(byte[] request) throws IOException {
            started = System.nanoTime();
            channel.send(request);
            flush();
        }

        void flush() throws IOException {
            key.interestOps(channel.flush() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    /** The phase's answers: latencies of the counted ones, and the refusals. */
    static final class Tally {
        final Latencies latencies = new Latencies();
        long lastAnswer = Long.MIN_VALUE;
        long refusals;
        Optional<String> firstRefusal = Optional.empty();

        void count(Workload workload, Ttlv answer, long started, long finished, long measureFrom) {
            try {
                workload.check(KmipRequests.payload(answer));
                if (started >= measureFrom) {
                    latencies.add(finished - started);
                    lastAnswer = Math.max(lastAnswer, finished);
                }
            } catch (RefusedException e) {
                if (started >= measureFrom) {
                    refusals++;
                }
                if (firstRefusal.isEmpty()) {
                    firstRefusal = Optional.of(e.getMessage());
                }
            }
        }
    }
}
