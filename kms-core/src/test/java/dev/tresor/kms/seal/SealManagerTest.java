package dev.tresor.kms.seal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.SealStatus;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.store.RocksDbStore;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.testing.LoggedRecords;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class SealManagerTest {
    private static final byte[] SECRET = "wrapped key material".getBytes(UTF_8);

    @TempDir
    Path dataDir;

    private final Store store = new MemoryStore();

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static void assertError(ErrorCode code, Executable call) {
        assertEquals(code, assertThrows(KmsError.class, call).code());
    }

    private static void put(SealManager seal, String key, byte[] value) {
        BarrierStore data = seal.barrierStore();
        data.write(data.batch().put(key, value));
    }

    private record SealedTresor(SealManager seal, List<String> shares) {
    }

    /** A Shamir-sealed Tresor holding {@link #SECRET} at key "k". */
    private SealedTresor sealedTresorWithSecret(int shares, int threshold) {
        SealManager seal = SealManager.open(store);
        List<String> answered = seal.init(shares, threshold);
        put(seal, "k", SECRET);
        seal.seal();
        return new SealedTresor(seal, answered);
    }

    /** Every raw key and value in the store, hex encoded, to compare before and after. */
    private Map<String, String> rawContents() {
        Map<String, String> contents = new TreeMap<>();
        store.scan(new byte[0]).forEach(e ->
                contents.put(HexFormat.of().formatHex(e.key()), HexFormat.of().formatHex(e.value())));
        return contents;
    }

    @Test
    void freshStoreIsUninitializedAndRefusesUnseal() {
        SealManager seal = SealManager.open(store);
        assertEquals(new SealStatus(false, true, "", 0, 0, false), seal.status());
        assertError(ErrorCode.SEALED, () -> seal.barrierStore().get("anything"));
        assertError(ErrorCode.FAILED_PRECONDITION, () -> seal.unseal("tresor-share-v1:1:AAAA"));
    }

    @Test
    void initAnswersSharesAndLeavesTresorUnsealed() {
        SealManager seal = SealManager.open(store);
        List<String> shares = seal.init(5, 3);
        assertEquals(5, shares.size());
        assertEquals(5, shares.stream().distinct().count());
        assertEquals(new SealStatus(true, false, "shamir", 3, 0, false), seal.status());
        put(seal, "k", SECRET);
        assertArrayEquals(SECRET, seal.barrierStore().get("k").orElseThrow());
        assertError(ErrorCode.FAILED_PRECONDITION, () -> seal.init(5, 3));
    }

    @Test
    void initRefusesBadParametersBeforeStoringAnything() {
        SealManager seal = SealManager.open(store);
        assertError(ErrorCode.INVALID_ARGUMENT, () -> seal.init(0, 0));
        assertError(ErrorCode.INVALID_ARGUMENT, () -> seal.init(3, 4));
        assertError(ErrorCode.INVALID_ARGUMENT, () -> seal.init(256, 3));
        assertError(ErrorCode.INVALID_ARGUMENT, () -> seal.init(3, 1));
        assertEquals(Map.of(), rawContents());
        assertEquals(1, seal.init(1, 1).size());
    }

    @Test
    void sealDropsAccessAndTellsTheListeners() {
        SealManager seal = SealManager.open(store);
        seal.init(3, 2);
        put(seal, "k", SECRET);
        AtomicInteger told = new AtomicInteger();
        seal.onSeal("a test listener", told::incrementAndGet);

        seal.seal();

        assertEquals(1, told.get());
        assertEquals(new SealStatus(true, true, "shamir", 2, 0, false), seal.status());
        BarrierStore data = seal.barrierStore();
        assertError(ErrorCode.SEALED, () -> data.get("k"));
        assertError(ErrorCode.SEALED, () -> data.scan(""));
        assertError(ErrorCode.SEALED, () -> data.last(""));
        assertError(ErrorCode.SEALED, () -> data.rawValue("k"));
        assertError(ErrorCode.SEALED, () -> data.write(data.batch().put("k2", SECRET)));
        assertError(ErrorCode.SEALED, () -> data.submit(data.batch().delete("k")));
    }

    /** Review dates2 m2: the unseal is audited (an open listener) ahead of the passes' writes; a seal runs its passes while the barrier is open. */
    @Test
    void anUnsealTellsTheOpenListenersBeforeThePassesAndASealRunsItsPassesBeforeClosing() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        List<String> order = new ArrayList<>();
        BarrierStore data = tresor.seal().barrierStore();
        tresor.seal().onUnseal(() -> order.add("pass"));
        tresor.seal().onOpen(() -> order.add("open"));
        tresor.seal().beforeSeal(() -> order.add("before seal, reads " + new String(data.get("k").orElseThrow(), UTF_8)));

        tresor.seal().unseal(tresor.shares().get(0));
        tresor.seal().seal();

        assertEquals(List.of("open", "pass", "before seal, reads wrapped key material"), order);
        assertError(ErrorCode.SEALED, () -> data.get("k"));
    }

    /**
     * Review dates2 m1: the unseal's passes run outside the seal's lock. While one runs, data calls
     * answer SEALED but the status and a seal answer at once, and the seal stops the pass.
     */
    @Test
    void whileAPassRunsTheStatusAndASealAnswerAtOnceAndTheSealStopsThePass() throws Exception {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        BarrierStore data = seal.barrierStore();
        CountDownLatch inThePass = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        List<String> readByThePass = new CopyOnWriteArrayList<>();
        seal.onUnseal(() -> {
            inThePass.countDown();
            try {
                assertTrue(goOn.await(10, TimeUnit.SECONDS));
                readByThePass.add(new String(data.get("k").orElseThrow(), UTF_8));
            } catch (KmsError stopped) {
                readByThePass.add(stopped.code().name());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ExecutorService others = Executors.newCachedThreadPool();
        try {
            Future<SealStatus> unsealing = others.submit(() -> seal.unseal(tresor.shares().get(0)));
            assertTrue(inThePass.await(10, TimeUnit.SECONDS));

            SealStatus during = others.submit(seal::status).get(10, TimeUnit.SECONDS);
            assertFalse(during.sealed());
            assertTrue(during.migrating(), "review dates m6: the status says data calls still wait");
            assertTrue(seal.status().migrating());
            assertEquals("Tresor is unsealed; stored keys are being brought up to date",
                    assertThrows(KmsError.class, data::requireUnsealed).getMessage(),
                    "review dates m6: the status answers unsealed, the data call's error says why it is refused");
            others.submit(seal::seal).get(10, TimeUnit.SECONDS);
            goOn.countDown();

            assertTrue(unsealing.get(10, TimeUnit.SECONDS).sealed());
            assertEquals(List.of("SEALED"), readByThePass, "the seal stopped the pass");
            assertFalse(seal.status().migrating());
            seal.unseal(tresor.shares().get(0));
            assertEquals(List.of("SEALED", "wrapped key material"), readByThePass);
            data.requireUnsealed();
        } finally {
            goOn.countDown();
            others.shutdownNow();
        }
    }

    /**
     * Review dates m5 and m7: a pass whose unseal was sealed stops at its next step even when a
     * second unseal has reopened the barrier meanwhile, and only the second unseal's run, after its
     * own pass, lets the data calls through (the first run's end must not).
     */
    @Test
    void aPassSealedWhileASecondUnsealReopensStopsAndOnlyTheSecondRunReleasesTheDataCalls() throws Exception {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        BarrierStore data = seal.barrierStore();
        CountDownLatch inThePass = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        seal.onUnseal(() -> {
            if (seen.isEmpty()) {
                inThePass.countDown();
                try {
                    assertTrue(goOn.await(10, TimeUnit.SECONDS));
                    seal.requireCurrentPass();
                    seen.add("first pass went on");
                } catch (KmsError stopped) {
                    seen.add("first pass " + stopped.code());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            seal.requireCurrentPass();
            try {
                data.requireUnsealed();
                seen.add("second pass, data calls served");
            } catch (KmsError held) {
                seen.add("second pass, data calls " + held.code());
            }
        });
        ExecutorService others = Executors.newCachedThreadPool();
        try {
            Future<SealStatus> first = others.submit(() -> seal.unseal(tresor.shares().get(0)));
            assertTrue(inThePass.await(10, TimeUnit.SECONDS));
            seal.seal();
            Future<SealStatus> second = others.submit(() -> seal.unseal(tresor.shares().get(0)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seal.status().sealed() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertFalse(seal.status().sealed(), "the second unseal opened the barrier");
            assertArrayEquals(SECRET, data.get("k").orElseThrow(), "the barrier is open again");

            goOn.countDown();
            assertFalse(first.get(10, TimeUnit.SECONDS).sealed());
            assertFalse(second.get(10, TimeUnit.SECONDS).sealed());

            assertEquals(List.of("first pass SEALED", "second pass, data calls SEALED"), seen);
            assertFalse(seal.status().migrating());
            data.requireUnsealed();
        } finally {
            goOn.countDown();
            others.shutdownNow();
        }
    }

    /**
     * Review dates4 m1: an unseal whose passes wait for a stopped pass still tells the open listeners
     * (the audit record) as the barrier opens, so a seal while it waits follows that record; they
     * were told only once the stopped pass ended, after the seal, whose close made the record fail.
     */
    @Test
    void anUnsealWaitingForAStoppedPassIsToldAsItOpensAheadOfASealMeanwhile() throws Exception {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch twoOpens = new CountDownLatch(2);
        CountDownLatch inThePass = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        seal.onOpen(() -> {
            events.add("open");
            twoOpens.countDown();
        });
        AtomicInteger passes = new AtomicInteger();
        seal.onUnseal(() -> {
            if (passes.incrementAndGet() == 1) {
                inThePass.countDown();
                try {
                    assertTrue(goOn.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            seal.requireCurrentPass();
            events.add("pass");
        });
        ExecutorService others = Executors.newCachedThreadPool();
        try {
            Future<SealStatus> first = others.submit(() -> seal.unseal(tresor.shares().get(0)));
            assertTrue(inThePass.await(10, TimeUnit.SECONDS));
            events.add("seal");
            seal.seal();
            Future<SealStatus> second = others.submit(() -> seal.unseal(tresor.shares().get(0)));

            assertTrue(twoOpens.await(10, TimeUnit.SECONDS), "the second unseal was not told as it opened: " + events);
            events.add("seal");
            seal.seal();
            goOn.countDown();

            assertTrue(first.get(10, TimeUnit.SECONDS).sealed());
            assertTrue(second.get(10, TimeUnit.SECONDS).sealed(), "sealed while its passes waited");
            assertEquals(List.of("open", "seal", "open", "seal"), events, "the stale run writes nothing");
            assertFalse(seal.status().migrating());
            seal.unseal(tresor.shares().get(0));
            assertEquals(List.of("open", "seal", "open", "seal", "open", "pass"), events);
            seal.barrierStore().requireUnsealed();
        } finally {
            goOn.countDown();
            others.shutdownNow();
        }
    }

    /**
     * Review dates m1: the open listener audits the unseal; if it fails, the unseal fails with it and
     * the barrier is closed again, its passes unrun (it was logged as a pass's failure, the unseal
     * answering unsealed without its record).
     */
    @Test
    void anOpenListenerThatFailsUndoesTheUnsealAndItsPassesDoNotRun() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        BarrierStore data = seal.barrierStore();
        AtomicInteger told = new AtomicInteger();
        seal.onSeal("a test listener", told::incrementAndGet);
        List<String> order = new ArrayList<>();
        AtomicInteger opens = new AtomicInteger();
        seal.onOpen(() -> {
            if (opens.incrementAndGet() == 1) {
                throw KmsError.internal("the unseal's audit record cannot be written", null);
            }
            order.add("open");
        });
        seal.onUnseal(() -> order.add("pass"));

        assertError(ErrorCode.INTERNAL, () -> seal.unseal(tresor.shares().get(0)));

        assertTrue(seal.status().sealed());
        assertFalse(seal.status().migrating());
        assertError(ErrorCode.SEALED, () -> data.get("k"));
        assertError(ErrorCode.SEALED, data::requireUnsealed);
        assertEquals(List.of(), order, "no pass runs without the open listener");
        assertEquals(1, told.get(), "the seal listeners drop what the barrier opened");
        seal.unseal(tresor.shares().get(0));
        assertEquals(List.of("open", "pass"), order);
        data.requireUnsealed();
    }

    /**
     * Review dates m2: an Error in a pass must not release the data calls without it (they were
     * served, the pass skipped): the barrier closes again, and the next unseal runs the pass again.
     */
    @Test
    void anErrorInAPassSealsAgainInsteadOfServingDataCallsWithoutIt() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        BarrierStore data = seal.barrierStore();
        AtomicInteger runs = new AtomicInteger();
        seal.onUnseal(() -> {
            if (runs.incrementAndGet() == 1) {
                throw new StackOverflowError("a pass ran out of stack");
            }
        });

        assertThrows(StackOverflowError.class, () -> seal.unseal(tresor.shares().get(0)));

        assertTrue(seal.status().sealed());
        assertFalse(seal.status().migrating());
        assertError(ErrorCode.SEALED, data::requireUnsealed);
        seal.unseal(tresor.shares().get(0));
        assertEquals(2, runs.get());
        data.requireUnsealed();
        assertArrayEquals(SECRET, data.get("k").orElseThrow());
    }

    /**
     * Review dates4 m4 and its nit: the reseal listeners are told of the Error while the barrier is
     * still open (to audit that seal), and a seal listener that fails then does not replace the
     * Error the unseal fails with.
     */
    @Test
    void anErrorInAPassTellsTheResealListenersWhileOpenAndASealListenerCannotHideIt() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        BarrierStore data = seal.barrierStore();
        List<String> told = new ArrayList<>();
        seal.onReseal(failure -> told.add(failure.getMessage() + ", reads " + new String(data.get("k").orElseThrow(), UTF_8)));
        seal.onSeal("a test listener", () -> {
            throw new IllegalStateException("a seal listener failed");
        });
        seal.onUnseal(() -> {
            throw new StackOverflowError("a pass ran out of stack");
        });

        StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> seal.unseal(tresor.shares().get(0)));

        assertEquals(List.of("a pass ran out of stack, reads wrapped key material"), told);
        assertEquals(List.of("a seal listener failed"),
                Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertTrue(seal.status().sealed());
    }

    /**
     * Review dates5 m1: a reseal listener that fails with an Error (its audit write ran out of
     * memory too) still lets the seal listeners run, so the cached key material is wiped, and the
     * unseal fails with the pass's Error, not the listener's.
     */
    @Test
    void aResealListenerFailingWithAnErrorStillLetsTheSealListenersRun() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        List<String> sealListenersRun = new ArrayList<>();
        seal.onReseal(failure -> {
            throw new InternalError("the reseal's audit record failed in the JVM");
        });
        seal.onSeal("the wipe of the cached key material", () -> sealListenersRun.add("material cache wiped"));
        seal.onUnseal(() -> {
            throw new StackOverflowError("a pass ran out of stack");
        });

        StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> seal.unseal(tresor.shares().get(0)));

        assertEquals(List.of("material cache wiped"), sealListenersRun);
        assertEquals(List.of("the reseal's audit record failed in the JVM"),
                Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertTrue(seal.status().sealed());
    }

    /** Review s8b s2: a reseal listener that rethrows the pass's own Error cannot skip the seal listeners either. */
    @Test
    void aResealListenerRethrowingThePasssErrorStillLetsTheSealListenersRun() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        List<String> sealListenersRun = new ArrayList<>();
        seal.onReseal(failure -> {
            throw failure;
        });
        seal.onSeal("the wipe of the cached key material", () -> sealListenersRun.add("material cache wiped"));
        seal.onUnseal(() -> {
            throw new StackOverflowError("a pass ran out of stack");
        });

        StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> seal.unseal(tresor.shares().get(0)));

        assertEquals("a pass ran out of stack", thrown.getMessage());
        assertEquals(List.of("material cache wiped"), sealListenersRun);
        assertTrue(seal.status().sealed());
    }

    /** Review dates5 n6: an operator's seal runs every seal listener although one fails, then throws that failure. */
    @Test
    void aSealRunsEverySealListenerThoughOneFails() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));
        List<String> sealListenersRun = new ArrayList<>();
        seal.onSeal("a test listener", () -> {
            throw new IllegalStateException("a seal listener failed");
        });
        seal.onSeal("the wipe of the cached key material", () -> sealListenersRun.add("material cache wiped"));

        IllegalStateException thrown = assertThrows(IllegalStateException.class, seal::seal);

        assertEquals("a seal listener failed", thrown.getMessage());
        assertEquals(List.of("material cache wiped"), sealListenersRun);
        assertTrue(seal.status().sealed());
    }

    /**
     * Review s9 n3: two seal listeners throw one shared failure; the second cannot be added to
     * itself, and that does not stop the listeners after it, the wipe among them.
     */
    @Test
    void twoSealListenersThrowingOneFailureStillLetTheLaterListenersRun() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));
        IllegalStateException shared = new IllegalStateException("one failure two listeners rethrow");
        List<String> sealListenersRun = new ArrayList<>();
        seal.onSeal("a test listener", () -> {
            throw shared;
        });
        seal.onSeal("another test listener", () -> {
            throw shared;
        });
        seal.onSeal("the wipe of the cached key material", () -> sealListenersRun.add("material cache wiped"));

        IllegalStateException thrown = assertThrows(IllegalStateException.class, seal::seal);

        assertSame(shared, thrown);
        assertEquals(0, thrown.getSuppressed().length);
        assertEquals(List.of("material cache wiped"), sealListenersRun);
        assertTrue(seal.status().sealed());
    }

    /**
     * Review s8b s6: a seal whose pass before sealing fails with an Error still closes and tells
     * every seal listener; it throws the pass's Error, with the failing listener's added to it.
     */
    @Test
    void aSealWhosePassFailsWithAnErrorTellsEveryListenerAndThrowsThePasssError() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));
        List<String> sealListenersRun = new ArrayList<>();
        seal.beforeSeal(() -> {
            throw new StackOverflowError("a pass before sealing ran out of stack");
        });
        seal.onSeal("a test listener", () -> {
            throw new IllegalStateException("a seal listener failed");
        });
        seal.onSeal("the wipe of the cached key material", () -> sealListenersRun.add("material cache wiped"));

        StackOverflowError thrown = assertThrows(StackOverflowError.class, seal::seal);

        assertEquals("a pass before sealing ran out of stack", thrown.getMessage());
        assertEquals(List.of("a seal listener failed"),
                Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertEquals(List.of("material cache wiped"), sealListenersRun);
        assertTrue(seal.status().sealed());
        assertError(ErrorCode.SEALED, seal.barrierStore()::requireUnsealed);
    }

    /** Review s8b s6: a seal listener failing with an Error does not stop the later ones, and the seal throws it. */
    @Test
    void aSealListenerFailingWithAnErrorDoesNotStopTheOthersAndIsThrown() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));
        List<String> sealListenersRun = new ArrayList<>();
        seal.onSeal("a test listener", () -> {
            throw new InternalError("a seal listener failed in the JVM");
        });
        seal.onSeal("the wipe of the cached key material", () -> sealListenersRun.add("material cache wiped"));

        InternalError thrown = assertThrows(InternalError.class, seal::seal);

        assertEquals("a seal listener failed in the JVM", thrown.getMessage());
        assertEquals(List.of("material cache wiped"), sealListenersRun);
        assertTrue(seal.status().sealed());
        assertError(ErrorCode.SEALED, seal.barrierStore()::requireUnsealed);
    }

    /**
     * Review s8c n2, review s9 m6: a seal whose record fails seals all the same and tells the
     * listeners; a pass's Error is thrown, not demoted, with the record's failure added to it. A
     * seal of a sealed Tresor runs no record.
     */
    @Test
    void aSealWhoseRecordFailsSealsAllTheSameAndThrowsAPasssErrorWithTheRecordsFailureAdded() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));
        List<String> run = new ArrayList<>();
        seal.beforeSeal(() -> {
            throw new StackOverflowError("a pass before sealing ran out of stack");
        });
        seal.onSeal("the wipe of the cached key material", () -> run.add("material cache wiped"));

        StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> seal.sealRecorded(() -> {
            throw new IllegalStateException("the seal's record could not be written");
        }));

        assertEquals("a pass before sealing ran out of stack", thrown.getMessage());
        assertEquals(List.of("the seal's record could not be written"),
                Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
        assertEquals(List.of("material cache wiped"), run);
        assertTrue(seal.status().sealed());
        assertError(ErrorCode.SEALED, seal.barrierStore()::requireUnsealed);
        seal.sealRecorded(() -> run.add("recorded"));
        assertEquals(List.of("material cache wiped"), run, "a seal of a sealed Tresor records nothing");
    }

    /**
     * Review s9 m5: a seal whose record fails as Administration's does (INTERNAL) throws that
     * failure, with a failing seal listener's failure kept on it, and the listener's failure is
     * logged at ERROR by the listener's name; the later listeners still run.
     */
    @Test
    void aSealListenerFailingAfterAFailedRecordIsLoggedByNameAndKeptOnTheRecordsFailure() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));
        List<String> run = new ArrayList<>();
        IllegalStateException wipeFailed = new IllegalStateException("the cache could not be cleared");
        seal.onSeal("the wipe of the cached key material", () -> {
            throw wipeFailed;
        });
        seal.onSeal("a later listener", () -> run.add("later listener told"));

        try (LoggedRecords logs = LoggedRecords.of(SealManager.class)) {
            KmsError thrown = assertThrows(KmsError.class, () -> seal.sealRecorded(() -> {
                throw KmsError.internal("the seal.seal audit record could not be written", null);
            }));

            assertEquals(ErrorCode.INTERNAL, thrown.code());
            assertEquals("the seal.seal audit record could not be written", thrown.getMessage());
            assertEquals(List.of(wipeFailed), Arrays.asList(thrown.getSuppressed()));
            assertEquals(List.of("SEVERE a seal listener, the wipe of the cached key material, failed; "
                    + "Tresor is sealed all the same"), logs.messages());
            assertSame(wipeFailed, logs.records().get(0).getThrown());
        }
        assertEquals(List.of("later listener told"), run);
        assertTrue(seal.status().sealed());
    }

    /** Review dates m2: the same for a pass registered while unsealed, which runs at once. */
    @Test
    void anErrorInAPassRegisteredWhileUnsealedSealsAgain() {
        SealedTresor tresor = sealedTresorWithSecret(1, 1);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));

        assertThrows(StackOverflowError.class, () -> seal.onUnseal(() -> {
            throw new StackOverflowError("a pass ran out of stack");
        }));

        assertTrue(seal.status().sealed());
        assertError(ErrorCode.SEALED, seal.barrierStore()::requireUnsealed);
    }

    @Test
    void anyThresholdOfSharesUnsealsAndOneFewerDoesNot() {
        SealedTresor tresor = sealedTresorWithSecret(4, 3);
        SealManager seal = tresor.seal();
        List<String> shares = tresor.shares();
        int[][] subsets = {{0, 1, 2}, {0, 1, 3}, {0, 2, 3}, {1, 2, 3}, {3, 1, 0}};
        for (int[] subset : subsets) {
            assertEquals(new SealStatus(true, true, "shamir", 3, 1, false), seal.unseal(shares.get(subset[0])));
            assertEquals(new SealStatus(true, true, "shamir", 3, 2, false), seal.unseal(shares.get(subset[1])));
            assertError(ErrorCode.SEALED, () -> seal.barrierStore().get("k"));
            assertEquals(new SealStatus(true, false, "shamir", 3, 0, false), seal.unseal(shares.get(subset[2])));
            assertArrayEquals(SECRET, seal.barrierStore().get("k").orElseThrow());
            seal.seal();
        }
    }

    @Test
    void sharesOfAnotherTresorAreRefusedWithoutChangingAnythingStored() {
        SealedTresor tresor = sealedTresorWithSecret(3, 2);
        SealManager seal = tresor.seal();
        List<String> shares = tresor.shares();
        List<String> foreign;
        try (Store other = new MemoryStore()) {
            foreign = SealManager.open(other).init(3, 2);
        }
        Map<String, String> before = rawContents();

        seal.unseal(foreign.get(0));
        KmsError refused = assertThrows(KmsError.class, () -> seal.unseal(foreign.get(1)));

        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
        assertEquals("these unseal shares do not open this Tresor; unseal progress was reset", refused.getMessage());
        assertEquals(before, rawContents());
        assertEquals(new SealStatus(true, true, "shamir", 2, 0, false), seal.status());

        seal.unseal(shares.get(0));
        assertError(ErrorCode.INVALID_ARGUMENT, () -> seal.unseal(foreign.get(2)));
        assertEquals(before, rawContents(), "a mixed set is refused too");
        seal.unseal(shares.get(2));
        seal.unseal(shares.get(1));
        assertArrayEquals(SECRET, seal.barrierStore().get("k").orElseThrow());
    }

    @Test
    void malformedOrRepeatedSharesAreRefusedAndDoNotCount() {
        SealManager seal = SealManager.open(store);
        List<String> shares = seal.init(3, 2);
        seal.seal();
        assertError(ErrorCode.INVALID_ARGUMENT, () -> seal.unseal("not a share"));
        seal.unseal(shares.get(1));
        KmsError repeated = assertThrows(KmsError.class, () -> seal.unseal(shares.get(1)));
        assertEquals("share 2 was already provided", repeated.getMessage());
        assertEquals(1, seal.status().sharesProvided());
        seal.unseal(shares.get(0));
        assertFalse(seal.status().sealed());
    }

    @Test
    void eachUnsealAddsABarrierTermAndOldValuesStillOpen() {
        SealedTresor tresor = sealedTresorWithSecret(2, 2);
        SealManager seal = tresor.seal();
        seal.unseal(tresor.shares().get(0));
        seal.unseal(tresor.shares().get(1));
        put(seal, "new", SECRET);
        assertEquals(1, ByteBuffer.wrap(seal.barrierStore().rawValue("k"), 1, 4).getInt());
        assertEquals(2, ByteBuffer.wrap(seal.barrierStore().rawValue("new"), 1, 4).getInt());
        assertArrayEquals(SECRET, seal.barrierStore().get("k").orElseThrow());
    }

    @Test
    void barrierAddsATermWhenATermNearsItsNonceBudget() {
        SealManager seal = SealManager.open(store, 10, Runnable::run);
        List<String> shares = seal.init(1, 1);
        for (int i = 0; i < 25; i++) {
            put(seal, "k" + i, SECRET);
        }
        BarrierStore data = seal.barrierStore();
        assertEquals(1, ByteBuffer.wrap(data.rawValue("k0"), 1, 4).getInt());
        assertEquals(3, ByteBuffer.wrap(data.rawValue("k24"), 1, 4).getInt());

        seal.seal();
        seal.unseal(shares.get(0));
        for (int i = 0; i < 25; i++) {
            assertArrayEquals(SECRET, data.get("k" + i).orElseThrow(), "value " + i);
        }
        put(seal, "after", SECRET);
        assertEquals(4, ByteBuffer.wrap(data.rawValue("after"), 1, 4).getInt());
    }

    @Test
    void theWriteThatCrossesTheMarkLeavesTheRotationToItsOwnThread() {
        List<Runnable> rotations = new CopyOnWriteArrayList<>();
        SealManager seal = SealManager.open(store, 10, rotations::add);
        seal.init(1, 1);
        BarrierStore data = seal.barrierStore();
        int written = 0;
        for (; rotations.isEmpty() && written < 20; written++) {
            put(seal, "k" + written, SECRET);
        }
        put(seal, "still", SECRET);

        assertEquals(1, rotations.size(), "due once per term, handed over, not run by the writer");
        assertEquals(1, ByteBuffer.wrap(data.rawValue("k" + (written - 1)), 1, 4).getInt());
        assertEquals(1, ByteBuffer.wrap(data.rawValue("still"), 1, 4).getInt());
        rotations.get(0).run();
        put(seal, "after", SECRET);
        assertEquals(2, ByteBuffer.wrap(data.rawValue("after"), 1, 4).getInt());
    }

    @Test
    void rotateAddsATermAndRefusesWhileSealed() {
        SealManager seal = SealManager.open(store);
        seal.init(1, 1);
        seal.rotate();
        put(seal, "k", SECRET);
        assertEquals(2, ByteBuffer.wrap(seal.barrierStore().rawValue("k"), 1, 4).getInt());
        seal.seal();
        assertError(ErrorCode.SEALED, seal::rotate);
    }

    @Test
    void restartedShamirTresorStartsSealedAndUnsealsWithItsShares() {
        Path db = dataDir.resolve("db");
        List<String> shares;
        try (Store disk = RocksDbStore.open(db)) {
            SealManager seal = SealManager.open(disk);
            shares = seal.init(3, 2);
            put(seal, "k", SECRET);
        }
        try (Store disk = RocksDbStore.open(db)) {
            SealManager seal = SealManager.open(disk);
            assertEquals(new SealStatus(true, true, "shamir", 2, 0, false), seal.status());
            seal.unseal(shares.get(2));
            seal.unseal(shares.get(0));
            assertArrayEquals(SECRET, seal.barrierStore().get("k").orElseThrow());
        }
    }

    @Test
    void devSealCreatesAnOwnerOnlyKeyFileAndSurvivesRestart() throws Exception {
        Path db = dataDir.resolve("db");
        try (Store disk = RocksDbStore.open(db)) {
            SealManager seal = SealManager.openDev(disk, dataDir);
            assertEquals(new SealStatus(true, false, "dev", 0, 0, false), seal.status());
            put(seal, "k", SECRET);
        }
        Path keyFile = dataDir.resolve("dev-unseal.key");
        assertEquals(32, Files.size(keyFile));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        byte[] key = Files.readAllBytes(keyFile);

        try (Store disk = RocksDbStore.open(db)) {
            SealManager seal = SealManager.openDev(disk, dataDir);
            assertArrayEquals(SECRET, seal.barrierStore().get("k").orElseThrow());
            assertError(ErrorCode.FAILED_PRECONDITION, () -> seal.unseal("tresor-share-v1:1:AAAA"));
        }
        assertArrayEquals(key, Files.readAllBytes(keyFile), "the key file is never rewritten");
    }

    @Test
    void devSealRefusesAMissingOrForeignKeyFile() throws Exception {
        SealManager.openDev(store, dataDir);
        Path keyFile = dataDir.resolve("dev-unseal.key");
        Files.delete(keyFile);
        KmsError missing = assertThrows(KmsError.class, () -> SealManager.openDev(store, dataDir));
        assertTrue(missing.getMessage().contains("is missing"), missing.getMessage());

        Files.write(keyFile, new byte[32]);
        KmsError foreign = assertThrows(KmsError.class, () -> SealManager.openDev(store, dataDir));
        assertEquals(ErrorCode.INTERNAL, foreign.code());
        assertTrue(foreign.getMessage().endsWith("does not open this Tresor"), foreign.getMessage());
    }

    @Test
    void devSealRefusesAShamirDataDirectory() {
        SealManager.open(store).init(3, 2);
        assertError(ErrorCode.FAILED_PRECONDITION, () -> SealManager.openDev(store, dataDir));
    }
}
