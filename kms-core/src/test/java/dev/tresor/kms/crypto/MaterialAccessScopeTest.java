package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw key bytes may be read only where the allow-list in {@link MaterialAccess} says: this test
 * scans every Java source file of every module and fails on any file outside the list that so
 * much as names {@code MaterialAccess}.
 */
class MaterialAccessScopeTest {
    private static final Pattern WORD = Pattern.compile("\\bMaterialAccess\\b");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    @Test
    void noSourceOutsideTheAllowListNamesMaterialAccess() {
        Path root = projectRoot();
        List<String> offenders = offenders(root);
        assertTrue(offenders.isEmpty(), "classes outside the allow-list refer to MaterialAccess: " + offenders);
        assertTrue(sources(root).count() > 50, "the scan must see the whole project, not an empty folder");
    }

    @Test
    void theScanCatchesAnOffender(@TempDir Path dir) throws IOException {
        Path leak = dir.resolve("kms-rest/src/main/java/dev/tresor/kms/rest/Leak.java");
        Files.createDirectories(leak.getParent());
        Files.writeString(leak, "package dev.tresor.kms.rest;\nclass Leak { Object a = dev.tresor.kms.crypto.MaterialAccess.obtain(); }\n");
        Path fine = dir.resolve("kms-core/src/main/java/dev/tresor/kms/key/KeyService.java");
        Files.createDirectories(fine.getParent());
        Files.writeString(fine, "package dev.tresor.kms.key;\nclass KeyService { MaterialAccess a; }\n");
        Path lookalike = dir.resolve("kms-core/src/main/java/dev/tresor/kms/key/Other.java");
        Files.writeString(lookalike, "package dev.tresor.kms.key;\nclass Other { MaterialAccessible a; }\n");
        assertEquals(List.of("dev.tresor.kms.rest.Leak"), offenders(dir));
    }

    @Test
    void theRuntimeCheckFollowsTheSameList() {
        assertNotNull(MaterialAccess.obtain(), "this class lives in the crypto package");
        assertTrue(MaterialAccess.isAllowed("dev.tresor.kms.seal.Barrier", "dev.tresor.kms.seal"));
        assertTrue(MaterialAccess.isAllowed("dev.tresor.kms.key.MaterialCache", "dev.tresor.kms.key"));
        assertFalse(MaterialAccess.isAllowed("dev.tresor.kms.key.KeyRing", "dev.tresor.kms.key"));
        assertFalse(MaterialAccess.isAllowed("dev.tresor.kms.rest.CryptoRoutes", "dev.tresor.kms.rest"));
        assertFalse(MaterialAccess.isAllowed("dev.tresor.kms.cryptography.Evil", "dev.tresor.kms.cryptography"));
    }

    /** The top-level class names of the sources below {@code root} that name MaterialAccess without being allowed to. */
    private static List<String> offenders(Path root) {
        return sources(root).map(MaterialAccessScopeTest::offender).filter(name -> name != null).sorted().toList();
    }

    private static String offender(Path file) {
        String text = read(file);
        if (!WORD.matcher(text).find()) {
            return null;
        }
        Matcher pkg = PACKAGE.matcher(text);
        String packageName = pkg.find() ? pkg.group(1) : "";
        String simpleName = file.getFileName().toString().replace(".java", "");
        String className = packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
        return MaterialAccess.isAllowed(className, packageName) ? null : className;
    }

    private static Stream<Path> sources(Path root) {
        try {
            return Files.walk(root)
                    .filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/") && !p.toString().contains("/target/"))
                    .toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Surefire runs in the module folder; the project root is the folder above it with the parent pom. */
    private static Path projectRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("kms-core")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new AssertionError("no project root above " + here);
    }
}
