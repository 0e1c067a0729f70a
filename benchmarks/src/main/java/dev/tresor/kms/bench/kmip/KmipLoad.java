package dev.tresor.kms.bench.kmip;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KMIP load client: drives a running KMIP server over binary TTLV and mutual TLS with KMIP 1.4
 * requests, phase by phase (each operation at each connection count), and prints one Markdown
 * table row per phase. Exit status 1 when a phase had refusals, 2 on bad arguments.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tresor.kms.bench.kmip.KmipLoad \
 *   --server NAME --host 127.0.0.1 --port 5696 --ca ca.pem --cert client.pem --key client.key \
 *   [--ops encrypt,create] [--connections 1,16] [--warmup 5] [--seconds 15] [--header]
 * </pre>
 */
public final class KmipLoad {
    private static final Set<String> OPTIONS = Set.of("server", "host", "port", "ca", "cert", "key", "ops",
            "connections", "warmup", "seconds");

    /** Each connection is a socket with its TLS buffers, all driven by one thread. */
    private static final int MAX_CONNECTIONS = 1_000;
    private static final int MAX_SECONDS = 3_600;

    private KmipLoad() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        boolean header = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String name = args[i].startsWith("--") ? args[i].substring(2) : "";
                if (name.equals("header")) {
                    header = true;
                } else if (OPTIONS.contains(name) && i + 1 < args.length) {
                    options.put(name, args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
                }
            }
            run(options, header);
        } catch (IllegalArgumentException e) {
            System.err.println("kmip-load: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(Map<String, String> options, boolean header) throws Exception {
        String server = required(options, "server");
        String host = options.getOrDefault("host", "127.0.0.1");
        int port = bounded("port", required(options, "port"), 65_535);
        List<Workload> workloads = new ArrayList<>();
        for (String op : options.getOrDefault("ops", "encrypt,create").split(",")) {
            workloads.add(Workload.named(op.strip()));
        }
        List<Integer> connections = new ArrayList<>();
        for (String count : options.getOrDefault("connections", "1,16").split(",")) {
            connections.add(bounded("connections", count.strip(), MAX_CONNECTIONS));
        }
        Duration warmup = Duration.ofSeconds(bounded("warmup", options.getOrDefault("warmup", "5"), MAX_SECONDS));
        Duration measured = Duration.ofSeconds(bounded("seconds", options.getOrDefault("seconds", "15"), MAX_SECONDS));
        LoadPhase phase = new LoadPhase(TlsIdentity.context(Path.of(required(options, "ca")),
                Path.of(required(options, "cert")), Path.of(required(options, "key"))), host, port);

        if (header) {
            System.out.println(PhaseResult.markdownHeader());
        }
        boolean refused = false;
        for (Workload workload : workloads) {
            for (int count : connections) {
                System.err.printf("kmip-load: %s, %s, %d connection(s): %d s warm-up + %d s%n", server,
                        workload.title(), count, warmup.toSeconds(), measured.toSeconds());
                PhaseResult result = phase.run(server, workload, count, warmup, measured);
                System.out.println(result.markdownRow());
                System.out.flush();
                if (result.refusals() > 0 || result.operations() == 0) {
                    refused = true;
                    System.err.println("kmip-load: " + result.refusals() + " refused, first: "
                            + result.firstRefusal().orElse("none"));
                }
            }
        }
        if (refused) {
            System.exit(1);
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private static int bounded(String name, String value, int max) {
        if (!value.matches("[1-9][0-9]{0,8}") || Integer.parseInt(value) > max) {
            throw new IllegalArgumentException("--" + name + " must be a number from 1 to " + max
                    + ", not '" + value + "'");
        }
        return Integer.parseInt(value);
    }
}
