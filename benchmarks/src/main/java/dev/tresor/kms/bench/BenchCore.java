package dev.tresor.kms.bench;

import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A real core for benchmarks: RocksDB with synced writes in a temporary directory, the dev seal,
 * and a project whose hourly budget does not get in the way of measuring.
 */
final class BenchCore implements AutoCloseable {
    private static final Grant OPERATOR = Grant.operator(new Principal(Principal.Kind.OPERATOR, "bench"));

    private final Path dataDir;
    private final KmsCore core;

    private BenchCore(Path dataDir, KmsCore core) {
        this.dataDir = dataDir;
        this.core = core;
    }

    static BenchCore open() {
        try {
            Path dir = Files.createTempDirectory("tresor-bench");
            KmsCore core = KmsCore.open(new KmsCore.Options(Optional.of(dir), true, Clock.systemUTC(),
                    Duration.ofDays(30), Duration.ofHours(24), 100_000, Optional.empty()));
            return new BenchCore(dir, core);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    KeyManagement keyManagement() {
        return core.keyManagement();
    }

    Caller newCaller() {
        String project = core.administration().createProject(OPERATOR, Optional.empty(),
                OptionalLong.of(10_000_000), KmipLegacy.NONE).id();
        return Caller.of(new Principal(Principal.Kind.TOKEN, "bench"), new TenantId(project, "eu01"), Role.ADMIN);
    }

    @Override
    public void close() {
        core.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
