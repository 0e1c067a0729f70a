package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The event loop never blocks because every core call goes through {@link Blocking}: it is the
 * only source file that calls {@code executeBlocking}, and each of its calls is unordered.
 */
class BlockingTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/tresor/kms/rest");
    private static final Pattern CALL = Pattern.compile("executeBlocking\\(([^;]*)\\);");

    @Test
    void onlyBlockingCallsExecuteBlockingAndAlwaysUnordered() throws IOException {
        List<Path> callers;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            callers = files.filter(Files::isRegularFile).filter(f -> read(f).contains("executeBlocking("))
                    .map(Path::getFileName).toList();
        }
        assertEquals(List.of(Path.of("Blocking.java")), callers);

        Matcher calls = CALL.matcher(read(SOURCES.resolve("Blocking.java")));
        int count = 0;
        while (calls.find()) {
            count++;
            assertTrue(calls.group(1).endsWith(", false"), calls.group());
        }
        assertEquals(2, count);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
