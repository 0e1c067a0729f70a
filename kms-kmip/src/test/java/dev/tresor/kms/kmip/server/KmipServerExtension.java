package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One {@link KmipTestServer} per test class, in a temporary directory that is removed afterwards. */
final class KmipServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final Starter starter;
    private Path dataDir;
    private KmipTestServer server;

    /** How the server of a test class is made in its directory. */
    @FunctionalInterface
    interface Starter {
        KmipTestServer start(Path dataDir) throws Exception;
    }

    KmipServerExtension() {
        this(TtlvLimits.DEFAULT);
    }

    KmipServerExtension(TtlvLimits limits) {
        this(dataDir -> KmipTestServer.start(dataDir, limits));
    }

    KmipServerExtension(Starter starter) {
        this.starter = starter;
    }

    KmipTestServer server() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("tresor-kmip-test");
        server = starter.start(dataDir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
