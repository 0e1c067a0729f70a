package dev.tresor.kms.testing;

import dev.tresor.kms.service.AttestationOptions;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.service.Suppression;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * A real core for tests: RocksDB in a temporary directory, the dev seal, a movable clock, no
 * background purger; plus a project and callers in it.
 */
public final class TestCore implements AutoCloseable {
    private static final String START = "2026-01-01T00:00:00Z";
    public static final Grant OPERATOR = Grant.operator(new Principal(Principal.Kind.OPERATOR, "test"));

    private final KmsCore core;
    private final MovableClock clock;

    private TestCore(KmsCore core, MovableClock clock) {
        this.core = core;
        this.clock = clock;
    }

    public static TestCore open(Path dataDir) {
        return open(dataDir, MovableClock.at(START));
    }

    /**
     * The same over the store {@code around} makes of the real one: a {@link ForwardingStore} that
     * holds or fails one of its calls.
     */
    public static TestCore open(Path dataDir, UnaryOperator<Store> around) {
        return open(dataDir, MovableClock.at(START), around);
    }

    public static TestCore open(Path dataDir, MovableClock clock, UnaryOperator<Store> around) {
        RocksDbStore store = RocksDbStore.open(KmsCore.storeDirectory(dataDir));
        return open(dataDir, clock, AttestationOptions.production(), wrappedOrClosed(store, around));
    }

    public static TestCore open(Path dataDir, MovableClock clock) {
        return open(dataDir, clock, AttestationOptions.production());
    }

    /** The same with attestation options, e.g. {@link AttestationOptions#simulated} for gated-key tests. */
    public static TestCore open(Path dataDir, MovableClock clock, AttestationOptions attestation) {
        return new TestCore(KmsCore.open(options(dataDir, clock, attestation)), clock);
    }

    /**
     * The same on {@code store}, e.g. a {@link dev.tresor.kms.store.BreakableRocksDb}'s, which a test can
     * make fail; the core owns it, and closes it also when opening fails.
     */
    public static TestCore open(Path dataDir, MovableClock clock, AttestationOptions attestation, Store store) {
        return new TestCore(KmsCore.open(options(dataDir, clock, attestation), store), clock);
    }

    /**
     * What {@code around} makes of {@code store}, or its failure with {@code store} closed: a RocksDB
     * store left open keeps its directory locked, so every later open of the same data directory in
     * this JVM would fail.
     */
    private static Store wrappedOrClosed(RocksDbStore store, UnaryOperator<Store> around) {
        try {
            return around.apply(store);
        } catch (Throwable failure) {
            try {
                store.close();
            } catch (Throwable closeFailure) {
                Suppression.add(failure, closeFailure);
            }
            throw failure;
        }
    }

    private static KmsCore.Options options(Path dataDir, MovableClock clock, AttestationOptions attestation) {
        return new KmsCore.Options(Optional.of(dataDir), true, clock, Duration.ofDays(30), Duration.ofHours(24), 1000,
                Optional.empty(), attestation);
    }

    public KmsCore core() {
        return core;
    }

    public MovableClock clock() {
        return clock;
    }

    /** A new project with the given hourly budget; answers its eu01 tenant. */
    public TenantId newProject(long callsPerHour) {
        return newProject(callsPerHour, KmipLegacy.NONE);
    }

    /** A new project with the given hourly budget and opt-ins for legacy KMIP clients; answers its eu01 tenant. */
    public TenantId newProject(long callsPerHour, KmipLegacy legacy) {
        Project project = core.administration().createProject(OPERATOR, Optional.empty(),
                OptionalLong.of(callsPerHour), legacy);
        return new TenantId(project.id(), "eu01");
    }

    public TenantId newProject() {
        return newProject(Project.DEFAULT_CALLS_PER_HOUR);
    }

    public static Caller caller(TenantId tenant, Role role) {
        return Caller.of(new Principal(Principal.Kind.TOKEN, "test-" + role.wireName()), tenant, role);
    }

    @Override
    public void close() {
        core.close();
    }
}
