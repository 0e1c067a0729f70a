package dev.tresor.kms.server.dev;

import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.Regions;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Start-up of {@code serve --dev}: before the listeners, the dev CA and certificates; after
 * them, the dev project, an operator token and the registered KMIP client certificate, all
 * written to the dev directory. A restart reuses whatever is still valid.
 */
public final class DevBootstrap {
    private static final Grant BOOTSTRAP = Grant.operator(new Principal(Principal.Kind.OPERATOR, "serve --dev"));

    private final DevFiles files;
    private final Clock clock;

    public DevBootstrap(DevFiles files, Clock clock) {
        this.files = files;
        this.clock = clock;
    }

    /** Creates the dev CA and the certificates it signs unless all of them exist already. */
    public void prepareTls() {
        if (files.hasAllTlsFiles()) {
            return;
        }
        DevCertificateAuthority ca = DevCertificateAuthority.create(clock);
        ca.write(files.caCertificate(), files.caKey());
        ca.issueServer("Tresor dev REST").write(files.restCertificate(), files.restKey());
        ca.issueServer("Tresor dev KMIP").write(files.kmipCertificate(), files.kmipKey());
        ca.issueClient("Tresor dev KMIP client").write(files.kmipClientCertificate(), files.kmipClientKey());
    }

    /** Ensures project, token and client certificate exist in the (unsealed) server, then writes the files. */
    public DevFacts provision(Administration administration, URI restUrl, String kmipHost, int kmipPort,
                              long callsPerHour) {
        Optional<DevFacts> previous = DevFacts.read(files.devJson());
        String projectId = ensureProject(administration, previous.map(DevFacts::projectId), callsPerHour);
        String token = previous.map(DevFacts::adminToken)
                .filter(existing -> isValid(administration, existing))
                .orElseGet(() -> administration.createOperatorToken(BOOTSTRAP, "serve --dev").secret());
        ensureClientCertificate(administration, projectId);
        DevFacts facts = new DevFacts(projectId, Regions.DEFAULT, token, restUrl, kmipHost, kmipPort,
                files.caCertificate(), files.kmipClientCertificate(), files.kmipClientKey(), files.pkcs11Conf());
        DevFiles.writePublic(files.pkcs11Conf(), pkcs11Conf(facts));
        facts.write(files.devJson());
        return facts;
    }

    private static String ensureProject(Administration administration, Optional<String> projectId,
                                        long callsPerHour) {
        if (projectId.isPresent()) {
            try {
                return administration.getProject(BOOTSTRAP, projectId.get()).id();
            } catch (KmsError e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
            }
        }
        Project created = administration.createProject(BOOTSTRAP, projectId, OptionalLong.of(callsPerHour),
                KmipLegacy.NONE);
        return created.id();
    }

    private static boolean isValid(Administration administration, String token) {
        try {
            administration.authenticateToken(token);
            return true;
        } catch (KmsError e) {
            if (e.code() != ErrorCode.UNAUTHENTICATED) {
                throw e;
            }
            return false;
        }
    }

    private void ensureClientCertificate(Administration administration, String projectId) {
        X509Certificate certificate = readCertificate();
        try {
            if (administration.authenticateClientCertificate(certificate).projectId().equals(Optional.of(projectId))) {
                return;
            }
        } catch (KmsError e) {
            if (e.code() != ErrorCode.UNAUTHENTICATED) {
                throw e;
            }
        }
        try {
            register(administration, projectId);
        } catch (KmsError e) {
            if (e.code() != ErrorCode.FAILED_PRECONDITION) {
                throw e;
            }
            // Registered to an earlier dev project (dev.json was removed): a certificate never moves.
            DevCertificateAuthority.load(clock, files.caCertificate(), files.caKey())
                    .issueClient("Tresor dev KMIP client").write(files.kmipClientCertificate(), files.kmipClientKey());
            register(administration, projectId);
        }
    }

    private void register(Administration administration, String projectId) {
        try {
            administration.registerClientCertificate(BOOTSTRAP, projectId, Role.ADMIN,
                    Files.readString(files.kmipClientCertificate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private X509Certificate readCertificate() {
        try (var in = Files.newInputStream(files.kmipClientCertificate())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot parse " + files.kmipClientCertificate(), e);
        }
    }

    /** For libtresor-pkcs11 through {@code TRESOR_PKCS11_CONF}, in the syntax of docs/pkcs11.md. */
    private static String pkcs11Conf(DevFacts facts) {
        return "# Tresor PKCS#11 configuration, written by serve --dev\n"
                + "server = " + facts.kmipHost() + ":" + facts.kmipPort() + "\n"
                + "ca = " + facts.caFile() + "\n"
                + "cert = " + facts.kmipClientCertificate() + "\n"
                + "key = " + facts.kmipClientKey() + "\n"
                + "\n"
                + "[token dev]\n"
                + "project = " + facts.projectId() + "\n";
    }
}
