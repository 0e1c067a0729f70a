package dev.tresor.kms.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.NonBlocking;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.testing.GatedStore;
import dev.tresor.kms.testing.MovableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project's legacy KMIP opt-ins survive a restart, and a project stored before an opt-in existed
 * has it off; projects in memory are found where waiting is not allowed, whatever another thread
 * is loading meanwhile.
 */
class ProjectsTest {
    private static final String OLD_ID = "0a6f3c1e-2d4b-4c8a-9e7f-1b2c3d4e5f60";
    private final MovableClock clock = MovableClock.at("2026-01-01T00:00:00Z");

    @TempDir
    Path dataDir;

    @Test
    void aProjectStoredBeforeTheAesMacOptInReadsItAsOffAndKeepsItsExportableDefault() {
        try (RocksDbStore store = RocksDbStore.open(dataDir.resolve("db"))) {
            BarrierStore barrier = SealManager.openDev(store, dataDir).barrierStore();
            String stored = "{\"id\":\"" + OLD_ID + "\",\"createdAt\":\"2025-06-01T10:00:00Z\","
                    + "\"callsPerHour\":500,\"kmipExportableByDefault\":true}";
            barrier.write(barrier.batch().put("sys/project/" + OLD_ID, stored.getBytes(StandardCharsets.UTF_8)));

            Project project = new Projects(barrier, clock).get(OLD_ID);
            assertEquals(new KmipLegacy(true, false), project.kmipLegacy());
            assertEquals(500, project.callsPerHour());
            assertEquals(List.of(project), new Projects(barrier, clock).list());
        }
    }

    @Test
    void bothOptInsAreStoredAndReadBackAfterARestart() {
        String id;
        try (RocksDbStore store = RocksDbStore.open(dataDir.resolve("db"))) {
            BarrierStore barrier = SealManager.openDev(store, dataDir).barrierStore();
            Projects projects = new Projects(barrier, clock);
            id = projects.create(Optional.empty(), OptionalLong.empty(), new KmipLegacy(false, true), barrier::write).id();
            clock.advance(Duration.ofMinutes(1));
            projects.create(Optional.empty(), OptionalLong.empty(), KmipLegacy.NONE, barrier::write);
        }
        try (RocksDbStore store = RocksDbStore.open(dataDir.resolve("db"))) {
            Projects reopened = new Projects(SealManager.openDev(store, dataDir).barrierStore(), clock);
            assertEquals(new KmipLegacy(false, true), reopened.get(id).kmipLegacy());
            assertEquals(List.of(new KmipLegacy(false, true), KmipLegacy.NONE),
                    reopened.list().stream().map(Project::kmipLegacy).toList());
        }
    }

    /**
     * Project ids that a new ConcurrentHashMap (16 bins) puts in one bin: a lookup that locked
     * the bin would wait for a load of any of them.
     */
    private static List<String> idsInOneBin(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < count; i++) {
            String id = UUID.nameUUIDFromBytes(("project " + i).getBytes(StandardCharsets.UTF_8)).toString();
            int h = id.hashCode();
            if (((h ^ (h >>> 16)) & 15) == 0) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    void aProjectInMemoryIsFoundWithoutWaitingForAnotherProjectsLoad() throws Exception {
        GatedStore store = new GatedStore(new MemoryStore());
        SealManager seal = SealManager.open(store);
        seal.init(1, 1);
        BarrierStore barrier = seal.barrierStore();
        Consumer<BarrierStore.Batch> commit = barrier::write;
        Projects projects = new Projects(barrier, clock);
        List<String> ids = idsInOneBin(3);
        projects.create(Optional.of(ids.get(0)), OptionalLong.empty(), KmipLegacy.NONE, commit);
        projects.create(Optional.of(ids.get(1)), OptionalLong.empty(), KmipLegacy.NONE, commit); // second in its bin
        new Projects(barrier, clock).create(Optional.of(ids.get(2)), OptionalLong.empty(), KmipLegacy.NONE, commit);
        Thread loader = new Thread(() -> projects.get(ids.get(2)));
        store.stop(loader);
        loader.start();
        store.awaitStopped();
        try {
            Optional<Project> found = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> NonBlocking.tryRun(() -> projects.get(ids.get(1))), "waited for the other project's load");

            assertEquals(ids.get(1), found.orElseThrow().id());
        } finally {
            store.release();
            loader.join();
        }
    }
}
