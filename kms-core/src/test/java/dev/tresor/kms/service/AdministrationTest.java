package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.store.BreakableRocksDb;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.IssuedToken;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.ClientCertificatePem;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdministrationTest {
    @TempDir
    Path dataDir;

    private TestCore test;
    private Administration admin;

    @BeforeEach
    void open() {
        test = TestCore.open(dataDir);
        admin = test.core().administration();
    }

    @AfterEach
    void close() {
        test.close();
    }

    /**
     * Review s8c n2: sealing is the safe direction, so an operator's seal whose record cannot be
     * written (the store failed) seals all the same, then fails naming that record.
     */
    @Test
    void aSealWhoseRecordCannotBeWrittenSealsAllTheSameAndFailsNamingTheRecord(@TempDir Path brokenDir) {
        BreakableRocksDb breakable = new BreakableRocksDb(KmsCore.storeDirectory(brokenDir));
        try (KmsCore core = KmsCore.open(new KmsCore.Options(Optional.of(brokenDir), true, test.clock(),
                Duration.ofDays(30), Duration.ofHours(24), 1000, Optional.empty()), breakable.store())) {
            Administration broken = core.administration();
            breakable.failCommits();

            KmsError refused = assertThrows(KmsError.class, () -> broken.seal(TestCore.OPERATOR));

            assertEquals(ErrorCode.INTERNAL, refused.code());
            assertTrue(refused.getMessage().contains("seal.seal audit record could not be written"),
                    refused.getMessage());
            assertTrue(broken.sealStatus().sealed());
            assertEquals(ErrorCode.SEALED, assertThrows(KmsError.class, core::verifyStoreIntegrity).code());
        }
    }

    @Test
    void tokensAuthenticateUntilRevoked() {
        TenantId tenant = test.newProject();
        IssuedToken.NewToken token = admin.createToken(TestCore.OPERATOR, tenant.projectId(), Role.CRYPTO_USER, "ci",
                Optional.empty());
        Grant grant = admin.authenticateToken(token.secret());
        assertEquals(Optional.of(tenant.projectId()), grant.projectId());
        assertEquals(Role.CRYPTO_USER, grant.role());
        assertEquals(ErrorCode.UNAUTHENTICATED,
                assertThrows(KmsError.class, () -> admin.authenticateToken(token.secret() + "x")).code());
        admin.revokeToken(TestCore.OPERATOR, tenant.projectId(), token.token().id());
        assertEquals(ErrorCode.UNAUTHENTICATED,
                assertThrows(KmsError.class, () -> admin.authenticateToken(token.secret())).code());
    }

    @Test
    void tokensExpire() {
        TenantId tenant = test.newProject();
        IssuedToken.NewToken token = admin.createToken(TestCore.OPERATOR, tenant.projectId(), Role.AUDITOR, "short",
                Optional.of(Duration.ofMinutes(5)));
        admin.authenticateToken(token.secret());
        test.clock().advance(Duration.ofMinutes(5));
        assertEquals(ErrorCode.UNAUTHENTICATED,
                assertThrows(KmsError.class, () -> admin.authenticateToken(token.secret())).code());
    }

    @Test
    void operatorTokensCanBeRevoked() {
        IssuedToken.NewToken operator = admin.createOperatorToken(TestCore.OPERATOR, "leaked");
        assertEquals(true, admin.authenticateToken(operator.secret()).isOperator());
        admin.revokeOperatorToken(TestCore.OPERATOR, operator.token().id());
        assertEquals(ErrorCode.UNAUTHENTICATED,
                assertThrows(KmsError.class, () -> admin.authenticateToken(operator.secret())).code());
    }

    @Test
    void aProjectAdminCannotReachAnotherProject() {
        TenantId mine = test.newProject();
        TenantId theirs = test.newProject();
        Grant myAdmin = new Grant(new Principal(Principal.Kind.TOKEN, "a"), Optional.of(mine.projectId()), Role.ADMIN);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(KmsError.class,
                () -> admin.createToken(myAdmin, theirs.projectId(), Role.ADMIN, "", Optional.empty())).code());
        Grant myAuditor = new Grant(new Principal(Principal.Kind.TOKEN, "b"), Optional.of(mine.projectId()), Role.AUDITOR);
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class,
                () -> admin.createToken(myAuditor, mine.projectId(), Role.ADMIN, "", Optional.empty())).code());
        assertEquals(ErrorCode.PERMISSION_DENIED, assertThrows(KmsError.class,
                () -> admin.createProject(myAdmin, Optional.empty(), OptionalLong.empty(), KmipLegacy.NONE)).code());
    }

    @Test
    void aClientCertificateRegisteredToOneProjectCannotBeTakenOverByAnother() throws Exception {
        TenantId victim = test.newProject();
        TenantId attacker = test.newProject();
        String pem = ClientCertificatePem.selfSigned();
        admin.registerClientCertificate(TestCore.OPERATOR, victim.projectId(), Role.CRYPTO_USER, pem);
        Grant attackerAdmin = new Grant(new Principal(Principal.Kind.TOKEN, "evil"), Optional.of(attacker.projectId()),
                Role.ADMIN);
        assertEquals(ErrorCode.FAILED_PRECONDITION, assertThrows(KmsError.class,
                () -> admin.registerClientCertificate(attackerAdmin, attacker.projectId(), Role.ADMIN, pem)).code());
        X509Certificate certificate = ClientCertificatePem.parse(pem);
        Grant grant = admin.authenticateClientCertificate(certificate);
        assertEquals(Optional.of(victim.projectId()), grant.projectId());
        assertEquals(Role.CRYPTO_USER, grant.role());
    }

    @Test
    void aClientCertificateTakesANewRoleAndIsRefusedOnceRevokedThoughAuthenticatedBefore() throws Exception {
        TenantId tenant = test.newProject();
        String pem = ClientCertificatePem.selfSigned();
        X509Certificate certificate = ClientCertificatePem.parse(pem);
        admin.registerClientCertificate(TestCore.OPERATOR, tenant.projectId(), Role.AUDITOR, pem);
        assertEquals(Role.AUDITOR, admin.authenticateClientCertificate(certificate).role());
        String fingerprint = admin.registerClientCertificate(TestCore.OPERATOR, tenant.projectId(), Role.CRYPTO_USER,
                pem).fingerprint();
        assertEquals(Role.CRYPTO_USER, admin.authenticateClientCertificate(certificate).role());
        admin.revokeClientCertificate(TestCore.OPERATOR, tenant.projectId(), fingerprint);
        assertEquals(ErrorCode.UNAUTHENTICATED, assertThrows(KmsError.class,
                () -> admin.authenticateClientCertificate(certificate)).code());
    }

    @Test
    void aBudgetTheLimiterCannotHoldIsRefusedAtCreation() {
        KmsError error = assertThrows(KmsError.class, () -> admin.createProject(TestCore.OPERATOR, Optional.empty(),
                OptionalLong.of(20_000_000), KmipLegacy.NONE));
        assertEquals(ErrorCode.INVALID_ARGUMENT, error.code());
        assertEquals(0, admin.listProjects(TestCore.OPERATOR).size());
    }
}
