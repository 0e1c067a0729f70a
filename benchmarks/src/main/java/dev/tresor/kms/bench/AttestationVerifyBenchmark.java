package dev.tresor.kms.bench;

import dev.tresor.kms.attest.AttestCommandSupport;
import dev.tresor.kms.attest.AttestationResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Verification cost per evidence type on the real samples of {@code shared/testdata/attestation}
 * (read through the system property {@code tresor.shared}, default {@code ../shared}), each at
 * its own fixed clock: parsing, chain, signatures, collateral and claims — everything a release
 * pays before the policy. The samples are those {@code tresor attest verify} is documented with.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class AttestationVerifyBenchmark {
    /** {@code tresor attest verify} arguments per evidence type; paths relative to the sample root. */
    private static final Map<String, List<String>> SAMPLES = Map.of(
            "snp", List.of("--type", "snp", "--evidence", "snp/milan-trustee/report.bin",
                    "--chain", "snp/milan-trustee/vcek.der,snp/roots/milan_ask_ark.pem", "--at", "2025-06-01T00:00:00Z"),
            "tdx", List.of("--type", "tdx", "--evidence", "tdx/dcapqvl-v4/quote.bin",
                    "--collateral", "tdx/collateral/dcapqvl-2025-06-fmspcb0c06f",
                    "--chain", "tdx/roots/tcb_signing_chain_2025.pem", "--at", "2025-07-01T00:00:00Z"),
            "tpm", List.of("--type", "tpm", "--evidence", "tpm/gce-cos85-nonce9009/attestation.pb",
                    "--chain", "tpm/gce-roots/tpm_ek_intermediate_2.der,tpm/gce-roots/tpm_ek_root_1.der",
                    "--report-data", "9009"),
            "token", List.of("--type", "token", "--evidence", "tokens/ear/ear_affirming_es256.jwt",
                    "--chain", "tokens/ear/veraison_test_key.jwk.json"));
    private static final List<String> PATH_OPTIONS = List.of("--evidence", "--chain", "--collateral");

    @Param({"snp", "tdx", "tpm", "token"})
    public String evidenceType;

    private AttestCommandSupport.Prepared prepared;

    @Setup(Level.Trial)
    public void setUp() {
        Path root = Path.of(System.getProperty("tresor.shared", "../shared"), "testdata", "attestation");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("attestation samples not found at " + root.toAbsolutePath()
                    + "; set -Dtresor.shared");
        }
        List<String> args = new ArrayList<>();
        String previous = "";
        for (String arg : SAMPLES.get(evidenceType)) {
            args.add(PATH_OPTIONS.contains(previous) ? resolve(root, arg) : arg);
            previous = arg;
        }
        prepared = AttestCommandSupport.prepare(AttestCommandSupport.Options.parse(args), Clock.systemUTC());
        prepared.verify(); // a sample that does not verify fails the trial instead of measuring a refusal
    }

    private static String resolve(Path root, String files) {
        return String.join(",", java.util.Arrays.stream(files.split(",")).map(f -> root.resolve(f).toString()).toList());
    }

    @Benchmark
    public AttestationResult verify() {
        return prepared.verify();
    }
}
