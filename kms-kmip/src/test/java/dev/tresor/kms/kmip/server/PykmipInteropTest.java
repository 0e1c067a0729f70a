package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client nobody here wrote: PyKMIP 0.10 (Debian python3-pykmip, run by Debian's own
 * /usr/bin/python3), speaking KMIP 1.2 (its default), 1.4 and 2.0, drives create, locate, get, get attributes, activate, GCM encrypt/decrypt,
 * register, RSA key pair, PSS sign/verify, revoke and destroy over mutual TLS. A machine without
 * PyKMIP fails this test rather than skipping it.
 */
class PykmipInteropTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "1.4", "2.0"})
    void pykmipRunsTheWholeLifecycleAgainstTresor(String version) throws Exception {
        assertTrue(Files.isExecutable(PYTHON), "Debian python3 with python3-pykmip is required: " + PYTHON);
        Path script = dir.resolve("pykmip_interop.py");
        try (InputStream in = getClass().getResourceAsStream("pykmip_interop.py")) {
            Files.copy(in, script);
        }
        try (KmipTestServer server = KmipTestServer.start(dir.resolve("data"))) {
            Path ca = Files.writeString(dir.resolve("ca.pem"), server.pki.ca.certificatePem());
            Path cert = Files.writeString(dir.resolve("client.pem"), server.pki.client.certificatePem());
            Path key = Files.writeString(dir.resolve("client.key"), server.pki.client.keyPem());
            Process process = new ProcessBuilder(List.of(PYTHON.toString(), script.toString(), "localhost",
                    Integer.toString(server.port), ca.toString(), cert.toString(), key.toString(), version))
                    .redirectErrorStream(true).start();
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "PyKMIP did not finish");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("all ok"), output);
        }
    }
}
