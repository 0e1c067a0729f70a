package dev.tresor.kms.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.seal.SealManager;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import dev.tresor.kms.store.MemoryStore;
import dev.tresor.kms.testing.ClientCertificatePem;
import dev.tresor.kms.testing.GatedStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cache of registered client certificates: a revocation or a new role is in force for every
 * call after it, also when a read of the certificate was under way while it was written, and a
 * certificate not in memory is declined where waiting is not allowed.
 */
class ClientCertificatesTest {
    private static final String PROJECT = "7d3c1c7e-0000-4000-8000-000000000001";

    private final GatedStore store = new GatedStore(new MemoryStore());
    private ClientCertificates certificates;
    private Consumer<BarrierStore.Batch> commit;
    private String pem;
    private X509Certificate certificate;

    @BeforeEach
    void open() throws Exception {
        SealManager seal = SealManager.open(store);
        seal.init(1, 1);
        BarrierStore barrier = seal.barrierStore();
        commit = barrier::write;
        certificates = new ClientCertificates(barrier, Clock.systemUTC());
        pem = ClientCertificatePem.selfSigned();
        certificate = ClientCertificatePem.parse(pem);
    }

    /** Runs {@code change} while another thread's authentication has read the certificate and not yet returned. */
    private Object changedDuringARead(Runnable change) throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                outcome.set(certificates.authenticate(certificate));
            } catch (KmsError e) {
                outcome.set(e);
            }
        });
        store.stop(reader);
        reader.start();
        store.awaitStopped();
        change.run();
        store.release();
        reader.join();
        return outcome.get();
    }

    @Test
    void aRevocationWrittenWhileTheCertificateWasBeingReadRefusesTheNextCall() throws Exception {
        String fingerprint = certificates.register(PROJECT, Role.ADMIN, pem, commit).fingerprint();

        Object during = changedDuringARead(() -> certificates.revoke(PROJECT, fingerprint, commit));

        assertEquals(Role.ADMIN, ((Grant) during).role(), "the read began before the revocation");
        assertEquals(ErrorCode.UNAUTHENTICATED,
                assertThrows(KmsError.class, () -> certificates.authenticate(certificate)).code());
    }

    @Test
    void aNewRoleWrittenWhileTheCertificateWasBeingReadHoldsForTheNextCall() throws Exception {
        certificates.register(PROJECT, Role.ADMIN, pem, commit);

        changedDuringARead(() -> certificates.register(PROJECT, Role.AUDITOR, pem, commit));

        assertEquals(Role.AUDITOR, certificates.authenticate(certificate).role());
    }

    @Test
    void aRevokedCertificateIsRefusedAtItsNextCallThoughItWasInMemory() {
        String fingerprint = certificates.register(PROJECT, Role.CRYPTO_USER, pem, commit).fingerprint();
        assertEquals(Role.CRYPTO_USER, certificates.authenticate(certificate).role());

        certificates.revoke(PROJECT, fingerprint, commit);

        assertEquals(ErrorCode.UNAUTHENTICATED,
                assertThrows(KmsError.class, () -> certificates.authenticate(certificate)).code());
    }

    @Test
    void aCertificateNotInMemoryIsDeclinedWhereWaitingIsNotAllowedAndServedFromMemoryOnceRead() {
        certificates.register(PROJECT, Role.CRYPTO_USER, pem, commit);

        assertEquals(Optional.empty(), NonBlocking.tryRun(() -> certificates.authenticate(certificate)));
        certificates.authenticate(certificate);
        Optional<Grant> fromMemory = NonBlocking.tryRun(() -> certificates.authenticate(certificate));

        assertTrue(fromMemory.isPresent());
        assertEquals(Optional.of(PROJECT), fromMemory.get().projectId());
    }

    @Test
    void anUnregisteredCertificateIsDeclinedWhereWaitingIsNotAllowedAndRefusedWhereItMayWait() {
        assertEquals(Optional.empty(), NonBlocking.tryRun(() -> certificates.authenticate(certificate)));
        assertEquals(ErrorCode.UNAUTHENTICATED,
                assertThrows(KmsError.class, () -> certificates.authenticate(certificate)).code());
        assertEquals(Optional.empty(), NonBlocking.tryRun(() -> certificates.authenticate(certificate)),
                "an unknown certificate is never cached, so it is read again where waiting is allowed");
    }
}
