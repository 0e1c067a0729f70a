package dev.tresor.kms.seal;

import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;

/** The dev seal's unseal key: 32 raw bytes in a file only its owner may read. */
final class DevKeyFile {
    static final String NAME = "dev-unseal.key";

    private DevKeyFile() {
    }

    /** Reads the key file in {@code dataDir}, creating it with a fresh key (mode 0600) if absent. */
    static byte[] loadOrCreate(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve(NAME);
        if (!Files.exists(file)) {
            byte[] key = new byte[TermKey.BYTES];
            random.nextBytes(key);
            try {
                create(file, key);
                return key;
            } catch (FileAlreadyExistsException raced) {
                Arrays.fill(key, (byte) 0);
            } catch (IOException e) {
                Arrays.fill(key, (byte) 0);
                throw KmsError.internal("cannot create the dev seal key file " + file, e);
            }
        }
        return load(dataDir);
    }

    static byte[] load(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        try {
            if (!Files.isRegularFile(file)) {
                throw KmsError.internal("the dev seal key file " + file + " is missing", null);
            }
            if (Files.size(file) != TermKey.BYTES) {
                throw KmsError.internal("the dev seal key file " + file + " does not hold a " + TermKey.BYTES
                        + "-byte key", null);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw KmsError.internal("cannot read the dev seal key file " + file, e);
        }
    }

    private static void create(Path file, byte[] key) throws IOException {
        Files.createDirectories(file.getParent());
        FileAttribute<?>[] ownerOnly = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), ownerOnly)) {
            out.write(ByteBuffer.wrap(key));
            out.force(true);
        }
    }
}
