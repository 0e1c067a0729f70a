package dev.tresor.kms.bench.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.attest.ExpectedBinding;
import dev.tresor.kms.bench.kmip.Latencies;
import dev.tresor.kms.service.Bytes;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Attested-release load client: each worker repeats the REST round trip of a workload, timed as a
 * whole — a challenge ({@code POST P/attestation/challenges}), evidence bound to its EC P-384 key
 * from the dev server's simulated SEV-SNP platform ({@code POST P/attestation/sim/reports}), and
 * the release ({@code POST K/release}, a JWE back). It first sets up, with the operator token, a
 * project with a large budget, a crypto-user token and a releasable AES key whose policy names
 * the dev server's simulated guest. Prints one Markdown table row per run; exit status 1 when any
 * answer was not the expected one, 2 on bad arguments.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tresor.kms.bench.attest.ReleaseLoad \
 *   --url https://127.0.0.1:8443 --ca ca.pem --operator-token TOKEN \
 *   [--workers 1,4,16] [--warmup 5] [--seconds 20] [--header]
 * </pre>
 */
public final class ReleaseLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_WORKERS = 256;
    /** What {@code serve --dev}'s simulated guest measures: 0x42 x 48. */
    private static final String SIMULATED_MEASUREMENT = "42".repeat(48);

    private final HttpClient http;
    private final String api;
    private final String key;
    private final String token;

    private ReleaseLoad(HttpClient http, String api, String key, String token) {
        this.http = http;
        this.api = api;
        this.key = key;
        this.token = token;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("workers", "1,4,16", "warmup", "5", "seconds", "20"));
        boolean header = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--header")) {
                header = true;
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            } else {
                usage("unexpected argument " + args[i]);
            }
        }
        for (String required : List.of("url", "ca", "operator-token")) {
            if (!options.containsKey(required)) {
                usage("--" + required + " is required");
            }
        }
        int warmup = positive(options, "warmup", 600);
        int seconds = positive(options, "seconds", 3_600);
        List<Integer> workers = new ArrayList<>();
        for (String count : options.get("workers").split(",")) {
            workers.add(positive(Map.of("workers", count), "workers", MAX_WORKERS));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(trusting(Path.of(options.get("ca")))).connectTimeout(Duration.ofSeconds(10)).build();
        ReleaseLoad load = setUp(http, options.get("url"), options.get("operator-token"));
        if (header) {
            System.out.println("| workers | round trips/s | p50 ms | p99 ms | release step p50 ms | release step p99 ms | failures |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        }
        boolean failed = false;
        for (int count : workers) {
            load.run(count, warmup);
            Result result = load.run(count, seconds);
            System.out.printf("| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %d |%n", count, result.rate(),
                    Latencies.percentileMillis(result.total(), 50), Latencies.percentileMillis(result.total(), 99),
                    Latencies.percentileMillis(result.release(), 50), Latencies.percentileMillis(result.release(), 99),
                    result.failures());
            failed |= result.failures() > 0;
        }
        System.exit(failed ? 1 : 0);
    }

    /** A project (10,000,000 calls/h), its crypto-user token, a ring and a releasable key for the simulated guest. */
    private static ReleaseLoad setUp(HttpClient http, String url, String operatorToken) throws Exception {
        ReleaseLoad operator = new ReleaseLoad(http, url, "", operatorToken);
        String project = operator.post(url + "/admin/v1/projects", "{\"callsPerHour\":10000000}", 201)
                .get("projectId").asText();
        String token = operator.post(url + "/admin/v1/projects/" + project + "/tokens",
                "{\"role\":\"crypto-user\",\"description\":\"release-load\"}", 201).get("token").asText();
        String api = url + "/v1/projects/" + project + "/regions/eu01";
        String ring = operator.post(api + "/keyrings", "{\"displayName\":\"release-load\"}", 202).get("id").asText();
        String policy = "{\"version\":\"1.0\",\"allOf\":[{\"claim\":\"tee\",\"equals\":\"sim-snp\"},"
                + "{\"claim\":\"snp.measurement\",\"equals\":\"" + SIMULATED_MEASUREMENT + "\"}]}";
        String key = operator.post(api + "/keyrings/" + ring + "/releasable-keys", "{\"displayName\":\"release-load\","
                + "\"algorithm\":\"aes_256_gcm\",\"purpose\":\"symmetric_encrypt_decrypt\",\"protection\":\"software\","
                + "\"releasePolicy\":" + policy + "}", 202).get("id").asText();
        return new ReleaseLoad(http, api, "keyrings/" + ring + "/keys/" + key, token);
    }

    private record Result(double rate, long[] total, long[] release, long failures) {
    }

    private Result run(int workers, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Latencies> totals = new ArrayList<>();
        List<Latencies> releases = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Latencies total = new Latencies();
            Latencies release = new Latencies();
            totals.add(total);
            releases.add(release);
            Thread thread = new Thread(() -> {
                KeyPair workload = workloadKey();
                while (System.nanoTime() < end) {
                    try {
                        roundTrip(workload, total, release);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            }, "release-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long[] all = Latencies.merged(totals);
        return new Result(all.length / (double) seconds, all, Latencies.merged(releases), failures.get());
    }

    /** One workload's round trip; any answer but the expected one is a failure. */
    private void roundTrip(KeyPair workload, Latencies total, Latencies release) throws Exception {
        long start = System.nanoTime();
        JsonNode challenge = post(api + "/attestation/challenges", null, 201);
        byte[] nonce = Base64.getUrlDecoder().decode(challenge.get("nonce").asText());
        byte[] reportData = new ExpectedBinding.Native(Bytes.wrap(nonce), workload.getPublic()).reportData();
        JsonNode report = post(api + "/attestation/sim/reports", JSON.createObjectNode()
                .put("reportData", Base64.getEncoder().encodeToString(reportData)).toString(), 200);
        String evidence = JSON.createObjectNode()
                .put("nonceId", challenge.get("nonceId").asText())
                .put("evidenceType", "snp")
                .put("evidence", report.get("report").asText())
                .put("certificates", report.get("certificates").asText())
                .put("publicKey", Base64.getEncoder().encodeToString(workload.getPublic().getEncoded())).toString();
        long releaseStart = System.nanoTime();
        JsonNode released = post(api + "/" + key + "/release", evidence, 200);
        long done = System.nanoTime();
        if (released.path("jwe").asText().split("\\.").length != 5) {
            throw new IllegalStateException("release answered no compact JWE");
        }
        total.add(done - start);
        release.add(done - releaseStart);
    }

    private JsonNode post(String url, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    private static KeyPair workloadKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp384r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static int positive(Map<String, String> options, String name, int max) {
        try {
            int value = Integer.parseInt(options.get(name));
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        usage("--" + name + " must be a whole number from 1 to " + max);
        return 0;
    }

    private static void usage(String problem) {
        System.err.println("release-load: " + problem);
        System.exit(2);
    }
}
