package dev.tresor.kms.server.dev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevTlsFilesTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path dataDir;

    /** The real clock: the handshake test checks validity against the real time. */
    private final Clock clock = Clock.systemUTC();

    @Test
    void theDevCaSignsBothServerCertificatesForEveryLocalName() throws Exception {
        DevFiles files = prepare();

        X509Certificate ca = certificate(files.caCertificate());
        for (Path server : List.of(files.restCertificate(), files.kmipCertificate())) {
            X509Certificate certificate = certificate(server);
            certificate.verify(ca.getPublicKey());
            certificate.checkValidity(Date.from(clock.instant()));
            assertEquals(List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1")),
                    certificate.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
            assertTrue(certificate.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
        }
        X509Certificate client = certificate(files.kmipClientCertificate());
        client.verify(ca.getPublicKey());
        assertTrue(client.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.2"), "clientAuth");
        assertEquals(0, ca.getBasicConstraints());
    }

    @Test
    void validityIsCountedFromTheInjectedClock() throws Exception {
        DevFiles files = DevFiles.in(dataDir);
        new DevBootstrap(files, Clock.fixed(NOW, ZoneOffset.UTC)).prepareTls();

        X509Certificate rest = certificate(files.restCertificate());
        assertEquals(NOW.minus(Duration.ofHours(1)), rest.getNotBefore().toInstant());
        assertEquals(NOW.plus(Duration.ofDays(825)), rest.getNotAfter().toInstant());
        assertEquals(NOW.plus(Duration.ofDays(3650)), certificate(files.caCertificate()).getNotAfter().toInstant());
    }

    @Test
    void privateKeysAreReadableByTheOwnerOnly() throws IOException {
        DevFiles files = prepare();

        for (Path key : List.of(files.caKey(), files.restKey(), files.kmipKey(), files.kmipClientKey())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)),
                    key.toString());
        }
        assertTrue(Files.readString(files.restKey()).startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void aRestartReusesTheFilesAndAPartialSetIsReplacedWhole() throws IOException {
        DevFiles files = prepare();
        byte[] ca = Files.readAllBytes(files.caCertificate());

        new DevBootstrap(files, clock).prepareTls();
        assertArrayEquals(ca, Files.readAllBytes(files.caCertificate()));

        Files.delete(files.kmipKey());
        new DevBootstrap(files, clock).prepareTls();
        assertTrue(Files.exists(files.kmipKey()));
        assertFalse(Arrays.equals(ca, Files.readAllBytes(files.caCertificate())));
    }

    @Test
    void aClientTrustingCaPemCompletesAHandshakeWithTheRestCertificateAsLocalhost() throws Exception {
        DevFiles files = prepare();
        DevCertificateAuthority.Issued rest = DevCertificateAuthority.Issued.read(files.restCertificate(),
                files.restKey());

        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("rest", rest.privateKey(), new char[0], new X509Certificate[] {rest.certificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, new char[0]);
        SSLContext serverContext = SSLContext.getInstance("TLSv1.3");
        serverContext.init(keys.getKeyManagers(), null, null);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificate(files.caCertificate()));
        TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusted.init(trust);
        SSLContext clientContext = SSLContext.getInstance("TLSv1.3");
        clientContext.init(null, trusted.getTrustManagers(), null);

        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    return accepted.getInputStream().read();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket("localhost", server.getLocalPort())) {
                SSLParameters parameters = client.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                client.setSSLParameters(parameters);
                client.getOutputStream().write(42);
                client.getOutputStream().flush();
                assertNotEquals(null, client.getSession().getPeerCertificates());
            }
            assertEquals(42, served.get(10, TimeUnit.SECONDS));
        }
    }

    private DevFiles prepare() {
        DevFiles files = DevFiles.in(dataDir);
        new DevBootstrap(files, clock).prepareTls();
        return files;
    }

    private static X509Certificate certificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
