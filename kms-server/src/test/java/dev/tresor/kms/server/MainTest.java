package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.server.admin.AdminCommand;
import dev.tresor.kms.service.KmsCore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path emptyDir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void withoutArgumentsItPrintsUsageToStderrAndExitsTwo() {
        assertEquals(Main.MISUSE, run());
        assertTrue(stderr().startsWith("usage: java -jar tresor.jar"), stderr());
    }

    @Test
    void helpListsEveryCommandAndSettingAndSucceeds() {
        assertEquals(Main.OK, run("help"));

        for (AdminCommand command : AdminCommand.values()) {
            assertTrue(stdout().contains(command.synopsis()), command.synopsis());
        }
        assertTrue(stdout().contains("serve [--dev] [--config FILE]"));
        assertTrue(stdout().contains("rest.port = TRESOR_REST_PORT (8443)"));
    }

    @Test
    void helpAfterACommandDescribesThatCommand() {
        assertEquals(Main.OK, run("token", "create", "--help"));

        assertEquals("usage: java -jar tresor.jar " + AdminCommand.TOKEN_CREATE.synopsis()
                + " [--url URL] [--ca FILE] [--token TOKEN]\n  " + AdminCommand.TOKEN_CREATE.summary() + "\n",
                stdout());
        out.reset();
        assertEquals(Main.OK, run("serve", "--help"));
        assertTrue(stdout().startsWith("usage: java -jar tresor.jar <command>"), stdout());
    }

    @Test
    void misuseIsOneLineNamingTheProblemAndExitsTwo() {
        assertMisuse("tresor: unknown command 'rotate' (see tresor help)", "rotate");
        assertMisuse("tresor: unknown command 'token frobnicate' (see tresor help)", "token", "frobnicate");
        assertMisuse("tresor: token list: unknown option --bogus", "token", "list", "--bogus");
        assertMisuse("tresor: token create: --role is required", "token", "create", "--url", "https://localhost:1",
                "--token", "t");
        assertMisuse("tresor: token create: unknown role 'root' (admin, key-admin, crypto-user, auditor)", "token",
                "create", "--role", "root", "--url", "https://localhost:1", "--token", "t");
        assertMisuse("tresor: init: need 1 <= threshold <= shares <= 255, got threshold 5 of 3 shares", "init",
                "--shares", "3", "--threshold", "5", "--url", "https://localhost:1");
        assertMisuse("tresor: init: --shares must be a positive whole number, not 'many'", "init", "--shares",
                "many", "--threshold", "2", "--url", "https://localhost:1");
        assertMisuse("tresor: token revoke: unexpected argument 'b'", "token", "revoke", "a", "b");
        assertMisuse("tresor: audit export: --from '2026-13-01' is not an RFC 3339 time", "audit", "export",
                "--from", "2026-13-01", "--url", "https://localhost:1", "--token", "t", "--project", "p");
        assertMisuse("tresor: serve: unknown option --port", "serve", "--port", "1");
        assertMisuse("tresor: --url: 'http://localhost:8443' is not an https:// URL", "project", "list", "--url",
                "http://localhost:8443");
    }

    @Test
    void withoutDevJsonTheServerAndTokenMustBeNamed() {
        assertMisuse("tresor: project list: no server: pass --url, set TRESOR_URL, or run it beside a serve --dev"
                + " data dir", "project", "list");
        assertMisuse("tresor: project list: no admin token: pass --token, set TRESOR_TOKEN, or run it beside a"
                + " serve --dev data dir", "project", "list", "--url", "https://localhost:1");
        assertMisuse("tresor: token list: --project is required (no dev.json here)", "token", "list", "--url",
                "https://localhost:1", "--token", "t");
    }

    @Test
    void aServerThatCannotStartFailsWithOneLine() {
        assertMisuse("tresor: config file " + emptyDir.resolve("absent.properties")
                + " does not exist or is not readable", "serve", "--config",
                emptyDir.resolve("absent.properties").toString());

        err.reset();
        try (KmsCore holder = KmsCore.open(KmsCore.Options.defaults(emptyDir, true).withoutPurger())) {
            int status = run("serve", "--dev");

            assertEquals(Main.FAILED, status);
            assertTrue(stderr().startsWith("tresor: cannot open the store at " + emptyDir), stderr());
            assertEquals(1, stderr().lines().count(), stderr());
        }
    }

    @Test
    void anUnreachableServerIsAFailureNotMisuse() {
        int status = run("project", "list", "--url", "https://127.0.0.1:1", "--token", "t");

        assertEquals(Main.FAILED, status);
        assertTrue(stderr().startsWith("tresor: cannot reach https://127.0.0.1:1/admin/v1/projects"), stderr());
        assertEquals(1, stderr().lines().count(), stderr());
    }

    @Test
    void attestVerifyJudgesEvidenceOffline() {
        Path snp = Path.of(System.getProperty("tresor.shared"), "testdata", "attestation", "snp");
        assertTrue(Files.isDirectory(snp), snp + " is missing");

        assertEquals(Main.OK, run("attest", "verify", "--type", "snp", "--evidence",
                snp.resolve("milan-trustee/report.bin").toString(), "--chain",
                snp.resolve("milan-trustee/vcek.der") + "," + snp.resolve("roots/milan_ask_ark.pem"),
                "--at", "2025-06-01T00:00:00Z"), stdout());
        assertTrue(stdout().contains("\"verdict\" : \"verified\""), stdout());

        out.reset();
        assertEquals(Main.FAILED, run("attest", "verify", "--type", "snp", "--evidence",
                snp.resolve("milan-trustee/report.bin").toString(), "--chain",
                snp.resolve("roots/genoa_ask_ark.pem").toString(), "--at", "2025-06-01T00:00:00Z"), stdout());
        assertTrue(stdout().contains("\"verdict\" : \"refused\""), stdout());

        out.reset();
        assertEquals(Main.MISUSE, run("attest", "verify", "--type", "snp"));
        assertTrue(stdout().contains("\"verdict\" : \"error\""), stdout());
    }

    private void assertMisuse(String message, String... args) {
        out.reset();
        err.reset();
        assertEquals(Main.MISUSE, run(args), stderr());
        assertEquals(message + "\n", stderr());
    }

    private int run(String... args) {
        return Main.run(List.of(args), Map.of("TRESOR_DATA_DIR", emptyDir.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
