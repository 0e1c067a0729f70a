package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With TLS files the server speaks HTTPS, TLS 1.3 and 1.2 only. The test JVM lifts the JDK's own
 * ban on TLS 1.0/1.1 (kms-rest's surefire argLine), so refusing TLS 1.1 is the server's doing.
 */
class TlsTest {
    private static final TestCertificates CERTIFICATES = TestCertificates.create("tresor-test");

    @RegisterExtension
    static final RestTestServer server = new RestTestServer(RestOptions.defaults().withHost("127.0.0.1").withPort(0)
            .withTls(CERTIFICATES.keyFile(), CERTIFICATES.certificateFile()));

    private static SSLSocket handshake(String protocol) throws GeneralSecurityException, IOException {
        SSLSocket socket = (SSLSocket) CERTIFICATES.trustingContext().getSocketFactory().createSocket("127.0.0.1", server.port());
        socket.setEnabledProtocols(new String[] {protocol});
        socket.startHandshake();
        return socket;
    }

    @Test
    void tls13AndTls12AreSpoken() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            try (SSLSocket socket = handshake(protocol)) {
                assertEquals(protocol, socket.getSession().getProtocol());
            }
        }
    }

    @Test
    void tls11IsRefusedByTheServer() {
        SSLException refused = assertThrows(SSLException.class, () -> handshake("TLSv1.1").close());
        assertTrue(refused.getMessage().contains("protocol_version") || refused.getMessage().contains("handshake_failure"),
                refused::getMessage);
    }

    @Test
    void theApiAnswersOverHttps() throws Exception {
        try (SSLSocket socket = handshake("TLSv1.3")) {
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }
}
