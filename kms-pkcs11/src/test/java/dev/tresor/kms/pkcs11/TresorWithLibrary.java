package dev.tresor.kms.pkcs11;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Token;

/**
 * A real server in a temporary directory and the library initialised against it through the IAIK
 * wrapper, for one test class: register it as a static {@code @RegisterExtension} field; it starts
 * before the class's tests and is gone after them.
 */
final class TresorWithLibrary implements BeforeAllCallback, AfterAllCallback {
    private final long callsPerHour;
    private Path directory;
    private TresorDevServer server;
    private PKCS11Module module;

    private TresorWithLibrary(long callsPerHour) {
        this.callsPerHour = callsPerHour;
    }

    /** A server whose project may make {@code callsPerHour} calls an hour. */
    static TresorWithLibrary withHourlyBudget(long callsPerHour) {
        return new TresorWithLibrary(callsPerHour);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        directory = Files.createTempDirectory("tresor-pkcs11-");
        server = TresorDevServer.start(directory, callsPerHour);
        module = PKCS11Module.getInstance(LibraryUnderTest.library().toString());
        module.initialize();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            module.finalize(null);
        } finally {
            server.close();
            deleteRecursively(directory);
        }
    }

    /** The server's working directory (tresor-data/ lives here); the tests may put files here too. */
    Path directory() {
        return directory;
    }

    TresorDevServer server() {
        return server;
    }

    PKCS11Module module() {
        return module;
    }

    Token token() throws PKCS11Exception {
        return module.getSlotList(true)[0].getToken();
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
