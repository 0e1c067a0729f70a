package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded tresor.jar as a user runs it: {@code serve --dev} in an empty directory, the CLI, SIGTERM. */
class ServeJarIT {
    private static final Path JAR = Path.of(System.getProperty("tresor.jar", "target/tresor.jar"));
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final int SIGTERM_STATUS = 128 + 15;

    @TempDir
    Path workDir;

    @Test
    void serveDevStartsAnswersHealthzAndTheCliThenStopsCleanlyOnSigterm() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: the package phase builds it");

        Process first = serveDev("first.log");
        DevFacts facts = DevFacts.read(DevFiles.in(workDir.resolve("tresor-data")).devJson()).orElseThrow();
        assertEquals(200, new HttpsProbe(facts.caFile()).get(facts.restUrl().resolve("/healthz"), "").statusCode());
        Process list = jar(List.of("project", "list"), "cli.log");
        assertEquals(Main.OK, list.waitFor());
        assertTrue(Files.readString(workDir.resolve("cli.log")).contains(facts.projectId()));
        assertEquals(Main.MISUSE, jar(List.of("token", "bogus"), "misuse.log").waitFor());
        stopWithSigterm(first, "first.log");

        Process second = serveDev("second.log");
        DevFacts again = DevFacts.read(DevFiles.in(workDir.resolve("tresor-data")).devJson()).orElseThrow();
        assertEquals(facts.projectId(), again.projectId());
        assertEquals(facts.adminToken(), again.adminToken());
        stopWithSigterm(second, "second.log");
    }

    private Process serveDev(String log) throws IOException, InterruptedException {
        Process process = jar(List.of("serve", "--dev"), log);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            if (Files.readString(workDir.resolve(log)).contains("tresor: ready\n")) {
                return process;
            }
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("serve --dev exited with " + process.exitValue() + ":\n"
                        + Files.readString(workDir.resolve(log)));
            }
        }
        process.destroyForcibly();
        throw new AssertionError("serve --dev was not ready within 90 s:\n" + Files.readString(workDir.resolve(log)));
    }

    private void stopWithSigterm(Process process, String log) throws Exception {
        process.destroy();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "still running 60 s after SIGTERM");
        List<String> lines = Files.readAllLines(workDir.resolve(log));
        assertEquals(SIGTERM_STATUS, process.exitValue(), String.join("\n", lines));
        assertEquals("tresor: stopped", lines.get(lines.size() - 1));
    }

    private Process jar(List<String> args, String log) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(log).toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("TRESOR_"));
        builder.environment().put("TRESOR_REST_PORT", "0");
        builder.environment().put("TRESOR_KMIP_PORT", "0");
        return builder.start();
    }
}
