package dev.tresor.kms.attest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** The shared attestation samples; a missing file fails the test, it never skips it. */
public final class TestData {
    static final Clock SNP_CLOCK = at("2025-06-01T00:00:00Z");

    private TestData() {
    }

    public static Path root() {
        String shared = System.getProperty("tresor.shared");
        if (shared == null) {
            throw new IllegalStateException("system property tresor.shared is not set");
        }
        Path root = Path.of(shared, "testdata", "attestation");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("attestation test data missing at " + root);
        }
        return root;
    }

    public static byte[] read(String relative) {
        try {
            return Files.readAllBytes(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<X509Certificate> certs(String... relatives) {
        return java.util.Arrays.stream(relatives).flatMap(r -> Certificates.parse(read(r)).stream()).toList();
    }

    public static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }
}
