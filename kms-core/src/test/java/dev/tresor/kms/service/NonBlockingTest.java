package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Work tried without waiting is declined by the first wait it meets, even when it catches what that throws. */
class NonBlockingTest {
    @Test
    void workThatMeetsNoWaitGivesItsResult() {
        assertEquals(Optional.of(42), NonBlocking.tryRun(() -> 42));
    }

    @Test
    void aWaitDeclinesTheWork() {
        assertEquals(Optional.empty(), NonBlocking.tryRun(() -> {
            NonBlocking.check("a storage read");
            return 42;
        }));
    }

    @Test
    void aWaitWhoseExceptionTheWorkCaughtStillDeclinesIt() {
        assertEquals(Optional.empty(), NonBlocking.tryRun(() -> {
            try {
                NonBlocking.check("a storage read");
            } catch (RuntimeException swallowed) {
                return 0;
            }
            return 42;
        }));
    }

    @Test
    void aFailureDeclinesTheWorkSoThatItIsReportedWhereItCanBeRecorded() {
        assertEquals(Optional.empty(), NonBlocking.tryRun(() -> {
            throw KmsError.invalid("bad input");
        }));
    }

    @Test
    void outsideATryAWaitIsAllowed() {
        assertDoesNotThrow(() -> NonBlocking.check("a storage read"));
        assertEquals(Optional.of(1), NonBlocking.tryRun(() -> 1), "a finished try leaves no decline behind");
    }
}
