package dev.tresor.kms.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.testing.MovableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A project's legacy KMIP opt-ins survive a restart, and a project stored before an opt-in existed has it off. */
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
}
