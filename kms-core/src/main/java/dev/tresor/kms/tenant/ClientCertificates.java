package dev.tresor.kms.tenant;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * KMIP client certificates: the SHA-256 fingerprint of a registered certificate maps the TLS
 * client to a project and role. (The TLS layer has already checked the chain to the client CA.)
 * Registered certificates are cached after first use (every KMIP message authenticates), keyed by
 * the certificate itself (equal when encoded alike; its hash is computed once per certificate
 * object), so a connection's messages are authenticated without hashing its certificate again.
 * Each entry carries the generation it was read in; registering or revoking a certificate starts a
 * new generation once its write is committed, so no entry read before that write is served after
 * it, even one whose read was still running (then every certificate is read once more).
 */
public final class ClientCertificates {
    private record Cached(ClientCertificate certificate, long generation) {
    }

    private final TenantLedger ledger;
    private final Clock clock;
    private final ConcurrentHashMap<X509Certificate, Cached> cache = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    public ClientCertificates(BarrierStore store, Clock clock) {
        this.ledger = new TenantLedger(store);
        this.clock = clock;
    }

    /**
     * Registers (or, in the same project, re-registers) a certificate. A certificate registered
     * to another project is refused: certificates are public, so otherwise any project admin
     * could pull another project's client into its own project.
     */
    public synchronized ClientCertificate register(String projectId, Role role, String pem,
                                                   Consumer<BarrierStore.Batch> commit) {
        X509Certificate certificate = parse(pem);
        ledger.certificate(fingerprint(certificate))
                .filter(existing -> !existing.projectId().equals(projectId))
                .ifPresent(existing -> {
                    throw KmsError.precondition("this certificate is registered to another project");
                });
        ClientCertificate registered = new ClientCertificate(fingerprint(certificate),
                certificate.getSubjectX500Principal().getName(), projectId, role, clock.instant(),
                certificate.getNotAfter().toInstant(), false);
        BarrierStore.Batch batch = ledger.batch();
        ledger.put(batch, registered);
        commit.accept(batch);
        newGeneration();
        return registered;
    }

    /** Reads the ledger on a cache miss; tried where waiting is not allowed, a miss declines ({@link NonBlocking}). */
    public Grant authenticate(X509Certificate certificate) {
        Cached cached = cache.get(certificate);
        Optional<ClientCertificate> registered = cached != null && cached.generation() == generation.get()
                ? Optional.of(cached.certificate())
                : load(certificate);
        ClientCertificate valid = registered
                .filter(c -> !c.revoked() && clock.instant().isBefore(c.notAfter()))
                .orElseThrow(() -> KmsError.of(ErrorCode.UNAUTHENTICATED, "client certificate is not registered"));
        return new Grant(new Principal(Principal.Kind.CLIENT_CERTIFICATE, valid.fingerprint()),
                Optional.of(valid.projectId()), valid.role());
    }

    private Optional<ClientCertificate> load(X509Certificate certificate) {
        NonBlocking.check("a client certificate load");
        long readIn = generation.get();
        Optional<ClientCertificate> read = ledger.certificate(fingerprint(certificate));
        read.ifPresent(found -> cache.put(certificate, new Cached(found, readIn)));
        return read;
    }

    public List<ClientCertificate> list(String projectId) {
        return ledger.certificates().stream().filter(c -> c.projectId().equals(projectId)).toList();
    }

    public synchronized void revoke(String projectId, String fingerprint, Consumer<BarrierStore.Batch> commit) {
        ClientCertificate c = ledger.certificate(fingerprint)
                .filter(found -> found.projectId().equals(projectId))
                .orElseThrow(() -> KmsError.notFound("client certificate " + fingerprint));
        BarrierStore.Batch batch = ledger.batch();
        ledger.put(batch, new ClientCertificate(c.fingerprint(), c.subject(), c.projectId(), c.role(),
                c.registeredAt(), c.notAfter(), true));
        commit.accept(batch);
        newGeneration();
    }

    /** After a committed change: every entry read before it is stale (one read more per certificate). */
    private void newGeneration() {
        generation.incrementAndGet();
    }

    /** Lower-case hex SHA-256 of the certificate's DER encoding. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw KmsError.invalid("certificate cannot be encoded");
        }
    }

    private static X509Certificate parse(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | ClassCastException e) {
            throw KmsError.invalid("certificatePem is not a PEM X.509 certificate");
        }
    }
}
