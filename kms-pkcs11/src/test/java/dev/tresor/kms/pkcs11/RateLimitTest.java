package dev.tresor.kms.pkcs11;

import static dev.tresor.kms.pkcs11.ModuleWithoutServerTest.assertCkr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_FUNCTION_FAILED;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xipki.pkcs11.wrapper.Session;

/** A project whose hourly budget is spent: CKR_FUNCTION_FAILED, and KMIP reason 0x3A in ulDeviceError. */
class RateLimitTest {
    private static final int CALLS_PER_HOUR = 5;
    private static final long SERVER_LIMIT_EXCEEDED = 0x3A;

    @RegisterExtension
    static final TresorWithLibrary tresor = TresorWithLibrary.withHourlyBudget(CALLS_PER_HOUR);

    @Test
    void theCallAfterTheBudgetFailsWithFunctionFailed() throws Exception {
        Session session = tresor.token().openSession(true);
        /* The library's first message is Discover Versions, which the server counts as a call too. */
        for (int call = 1; call < CALLS_PER_HOUR; call++) {
            assertEquals(16, session.generateRandom(16).length);
        }
        assertCkr(CKR_FUNCTION_FAILED, () -> session.generateRandom(16));
        assertEquals(SERVER_LIMIT_EXCEEDED, session.getSessionInfo().getDeviceError());
        session.closeSession();
    }
}
