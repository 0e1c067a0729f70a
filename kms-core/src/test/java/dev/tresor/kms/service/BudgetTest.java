package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hourly budget through the service: every call counts, refused ones too; an admitted front-end call counts once. */
class BudgetTest {
    @TempDir
    Path dataDir;

    @Test
    void theCallAfterTheBudgetIsRefusedUntilTheHourPasses() {
        try (TestCore test = TestCore.open(dataDir)) {
            KeyManagement kms = test.core().keyManagement();
            TenantId tenant = test.newProject(3);
            Caller auditor = TestCore.caller(tenant, Role.AUDITOR);
            kms.listKeyRings(auditor);
            assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class,
                    () -> kms.createKeyRing(auditor, new CreateKeyRing("r", Optional.empty()))).code(),
                    "a refused call still counts");
            kms.listKeyRings(auditor);
            KmsError limited = assertThrows(KmsError.class, () -> kms.listKeyRings(auditor));
            assertEquals(ErrorCode.RATE_LIMITED, limited.code());
            assertEquals(Duration.ofHours(1), limited.retryAfter().orElseThrow());
            assertEquals(0, kms.rateLimitStatus(tenant).remaining());
            test.clock().advance(Duration.ofHours(1));
            kms.listKeyRings(auditor);
        }
    }

    @Test
    void anAdmittedCallCountsOnceHoweverManyCoreCallsItMakes() {
        try (TestCore test = TestCore.open(dataDir)) {
            KeyManagement kms = test.core().keyManagement();
            TenantId tenant = test.newProject(2);
            Caller admin = TestCore.caller(tenant, Role.ADMIN);
            kms.admitted(admin, "kmip.locate", item -> {
                assertTrue(item.admitted());
                for (int call = 0; call < 5; call++) {
                    kms.listKeyRings(item);
                }
                return null;
            });
            assertEquals(1, kms.rateLimitStatus(tenant).remaining());
            kms.admitted(admin, "kmip.query", item -> null);
            assertEquals(ErrorCode.RATE_LIMITED,
                    assertThrows(KmsError.class, () -> kms.admitted(admin, "kmip.query", item -> null)).code());
        }
    }
}
