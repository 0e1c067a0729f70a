package dev.tresor.kms.server.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * Where {@code serve --dev} keeps its files: what a client needs in {@code <data>/dev/}, the
 * server's own keys in {@code <data>/dev/server/}. All paths are absolute.
 */
public record DevFiles(Path directory) {
    public DevFiles {
        directory = directory.toAbsolutePath().normalize();
    }

    public static DevFiles in(Path dataDir) {
        return new DevFiles(dataDir.resolve("dev"));
    }

    public Path devJson() {
        return directory.resolve("dev.json");
    }

    public Path caCertificate() {
        return directory.resolve("ca.pem");
    }

    public Path kmipClientCertificate() {
        return directory.resolve("kmip-client.pem");
    }

    public Path kmipClientKey() {
        return directory.resolve("kmip-client.key");
    }

    public Path pkcs11Conf() {
        return directory.resolve("pkcs11.conf");
    }

    Path caKey() {
        return directory.resolve("server/ca.key");
    }

    public Path restCertificate() {
        return directory.resolve("server/rest.pem");
    }

    public Path restKey() {
        return directory.resolve("server/rest.key");
    }

    public Path kmipCertificate() {
        return directory.resolve("server/kmip.pem");
    }

    public Path kmipKey() {
        return directory.resolve("server/kmip.key");
    }

    /** The TLS files exist together or not at all: a partial set is regenerated whole. */
    boolean hasAllTlsFiles() {
        return Stream.of(caCertificate(), caKey(), restCertificate(), restKey(), kmipCertificate(), kmipKey(),
                kmipClientCertificate(), kmipClientKey()).allMatch(Files::isRegularFile);
    }

    static void writePublic(Path file, String content) {
        write(file, content, "rw-r--r--");
    }

    /** For keys and tokens: readable by the owner only, from the moment the file exists. */
    static void writePrivate(Path file, String content) {
        write(file, content, "rw-------");
    }

    /** Written beside the target, then moved over it: a crash never leaves half a file. */
    private static void write(Path file, String content, String permissions) {
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(temporary,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
            }
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
