package dev.tresor.kms.pkcs11;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the build put libtresor-pkcs11.so and the configuration file the library reads
 * ({@code TRESOR_PKCS11_CONF}, set by surefire to the same path). Missing either fails the test.
 */
final class LibraryUnderTest {
    private LibraryUnderTest() {
    }

    static Path library() {
        Path library = Path.of(property("tresor.pkcs11.library"));
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException(library + " is missing: build it with `mvn -Pnative`");
        }
        return library;
    }

    static Path configuration() {
        Path configuration = Path.of(property("tresor.pkcs11.conf"));
        if (!configuration.toString().equals(System.getenv("TRESOR_PKCS11_CONF"))) {
            throw new IllegalStateException("TRESOR_PKCS11_CONF must name " + configuration);
        }
        return configuration;
    }

    /** Writes a configuration whose server refuses connections: everything local works, every round trip fails. */
    static void configureUnreachableServer() {
        Path configuration = configuration();
        ClientIdentity identity = ClientIdentity.writeTo(configuration.getParent());
        String text = "server = 127.0.0.1:" + freePort() + "\n"
                + "ca = " + identity.certificate() + "\n"
                + "cert = " + identity.certificate() + "\n"
                + "key = " + identity.key() + "\n"
                + "attestation = off\n"
                + "[token dev]\n"
                + "project = project-1\n";
        try {
            Files.writeString(configuration, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port that was free a moment ago (nobody listens on it). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set (run through Maven)");
        }
        return value;
    }
}
