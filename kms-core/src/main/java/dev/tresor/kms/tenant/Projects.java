package dev.tresor.kms.tenant;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** The projects this server serves; each project's KMS instances are its tenants. Cached after first read. */
public final class Projects {
    private static final Pattern UUID_FORM = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final TenantLedger ledger;
    private final Clock clock;
    private final ConcurrentHashMap<String, Project> cache = new ConcurrentHashMap<>();

    public Projects(BarrierStore store, Clock clock) {
        this.ledger = new TenantLedger(store);
        this.clock = clock;
    }

    public synchronized Project create(Optional<String> id, OptionalLong callsPerHour, KmipLegacy kmipLegacy,
                          Consumer<BarrierStore.Batch> commit) {
        String projectId = id.orElseGet(() -> UUID.randomUUID().toString()).toLowerCase(java.util.Locale.ROOT);
        if (!UUID_FORM.matcher(projectId).matches()) {
            throw KmsError.invalid("projectId must be a UUID");
        }
        if (ledger.project(projectId).isPresent()) {
            throw KmsError.precondition("project " + projectId + " already exists");
        }
        long limit = callsPerHour.orElse(Project.DEFAULT_CALLS_PER_HOUR);
        if (limit < 1 || limit > Project.MAX_CALLS_PER_HOUR) {
            throw KmsError.invalid("callsPerHour must be between 1 and " + Project.MAX_CALLS_PER_HOUR);
        }
        Project project = new Project(projectId, clock.instant(), limit, kmipLegacy);
        BarrierStore.Batch batch = ledger.batch();
        ledger.put(batch, project);
        commit.accept(batch);
        cache.put(projectId, project);
        return project;
    }

    public Project get(String projectId) {
        Project project = cache.get(projectId);
        if (project == null) {
            // computeIfAbsent may wait for another key's load in the same bin; a miss reads anyway
            NonBlocking.check("a project load");
            project = cache.computeIfAbsent(projectId, id -> ledger.project(id).orElse(null));
        }
        if (project == null) {
            throw KmsError.notFound("project " + projectId);
        }
        return project;
    }

    public List<Project> list() {
        return ledger.projects().stream().sorted(Comparator.comparing(Project::createdAt)).toList();
    }
}
