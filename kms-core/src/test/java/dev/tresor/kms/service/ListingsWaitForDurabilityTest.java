package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.testing.MovableClock;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RocksDB store shows a write before its sync; a listing, which writes no audit record of its
 * own, must not answer with it before it is durable.
 */
class ListingsWaitForDurabilityTest {
    private static final String PROJECT = "6f1d3c52-3b8e-4c38-9d2a-1f6b9a0e7c11";

    @TempDir
    Path dataDir;

    @Test
    void aProjectListingThatSeesAProjectNotYetSyncedAnswersOnlyOnceItIsDurable() throws InterruptedException {
        BreakableRocksDb breakable = new BreakableRocksDb(KmsCore.storeDirectory(dataDir));
        RocksDbStore store = breakable.store();
        try (KmsCore core = KmsCore.open(new KmsCore.Options(Optional.of(dataDir), true,
                MovableClock.at("2026-01-01T00:00:00Z"), Duration.ofDays(30), Duration.ofHours(24), 1000,
                Optional.empty()), store)) {
            Administration admin = core.administration();
            CountDownLatch release = new CountDownLatch(1);
            BreakableRocksDb.holdSyncer(store, release);
            try {
                long written = store.writtenGroups();
                CompletableFuture<Project> created = CompletableFuture.supplyAsync(() -> admin.createProject(
                        TestCore.OPERATOR, Optional.of(PROJECT), OptionalLong.empty(), KmipLegacy.NONE));
                awaitUntil(() -> store.writtenGroups() > written || created.isDone(), "the project was never written");
                assertFalse(created.isDone(), created::toString);

                CompletableFuture<List<Project>> listed = new CompletableFuture<>();
                Thread lister = new Thread(() -> listed.complete(admin.listProjects(TestCore.OPERATOR)), "lister");
                lister.start();
                awaitUntil(() -> lister.getState() == Thread.State.WAITING || listed.isDone(),
                        "the lister never waited");
                assertFalse(listed.isDone(), "the listing answered before the project was durable");

                release.countDown();
                assertEquals(PROJECT, created.join().id());
                assertEquals(List.of(PROJECT), listed.join().stream().map(Project::id).toList());
            } finally {
                release.countDown();
            }
        }
    }

    private static void awaitUntil(BooleanSupplier condition, String never) {
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            while (!condition.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
        }, never);
    }
}
