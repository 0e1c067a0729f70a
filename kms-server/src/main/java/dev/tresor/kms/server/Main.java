package dev.tresor.kms.server;

import dev.tresor.kms.attest.AttestCommandSupport;
import dev.tresor.kms.server.admin.AdminCommand;
import dev.tresor.kms.server.admin.AdminError;
import dev.tresor.kms.server.config.Setting;
import dev.tresor.kms.service.KmsError;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar tresor.jar <command>}: {@code serve} runs the server, {@code attest verify}
 * judges evidence offline, every other command is a client of a running server's admin API.
 * Exit status: 0 done, 1 failed, 2 misuse.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int MISUSE = 2;
    /** One line per log record (time, level, logger, message), unless the user chose a format. */
    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    private Main() {
    }

    public static void main(String[] args) {
        if (System.getProperty(LOG_FORMAT) == null) {
            System.setProperty(LOG_FORMAT, "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        int status = run(List.of(args), System.getenv(), System.out, System.err);
        if (status != OK) {
            System.exit(status);
        }
    }

    static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.print(usage());
            return MISUSE;
        }
        if (List.of("help", "--help", "-h").contains(args.get(0))
                || args.get(0).equals("serve") && args.contains("--help")) {
            out.print(usage());
            return OK;
        }
        try {
            if (args.get(0).equals("serve")) {
                return ServeCommand.run(args.subList(1, args.size()), environment, out);
            }
            if (args.size() >= 2 && args.get(0).equals("attest") && args.get(1).equals("verify")) {
                AttestCommandSupport.Outcome outcome = AttestCommandSupport.run(args.subList(2, args.size()),
                        Clock.systemUTC());
                out.println(outcome.json());
                return outcome.exitStatus();
            }
            AdminCommand command = Arrays.stream(AdminCommand.values())
                    .filter(candidate -> candidate.matches(args))
                    .findFirst()
                    .orElseThrow(() -> new UsageError("unknown command '" + String.join(" ", args.subList(0,
                            Math.min(2, args.size()))) + "' (see tresor help)"));
            if (args.contains("--help")) {
                out.println("usage: java -jar tresor.jar " + command.synopsis() + " [--url URL] [--ca FILE]"
                        + " [--token TOKEN]\n  " + command.summary());
                return OK;
            }
            out.println(command.execute(args, environment));
            return OK;
        } catch (UsageError e) {
            err.println("tresor: " + e.getMessage());
            return MISUSE;
        } catch (AdminError | KmsError | UncheckedIOException | IllegalStateException e) {
            err.println("tresor: " + e.getMessage());
            return FAILED;
        }
    }

    static String usage() {
        StringBuilder text = new StringBuilder("""
                usage: java -jar tresor.jar <command> [options]

                Server:
                  serve [--dev] [--config FILE]
                      run the server; --dev: local development set-up in ./tresor-data (docs/operations.md)

                Attestation, offline (docs/attestation.md); exit 0 verified, 1 refused, 2 misuse:
                  attest verify --type snp|tdx|tpm|token|az-snp-vtpm|az-tdx-vtpm --evidence FILE
                      [--chain FILE[,FILE]]... [--collateral DIR] [--at TIME] [--report-data HEX]
                      [--signatures-only]

                Admin commands, clients of a running server. Common options:
                  --url URL      server address (TRESOR_URL; default: restUrl of ./tresor-data/dev/dev.json)
                  --ca FILE      PEM CA to trust (TRESOR_CA; default: the dev ca.pem, else the system CAs)
                  --token TOKEN  admin or operator token (TRESOR_TOKEN; default: adminToken of dev.json)
                  --project ID   the project (default: projectId of dev.json)

                """);
        for (AdminCommand command : AdminCommand.values()) {
            text.append("  ").append(command.synopsis()).append("\n      ").append(command.summary()).append('\n');
        }
        text.append("\nSettings of serve (config file key = environment variable, default):\n");
        for (Setting setting : Setting.values()) {
            text.append("  ").append(setting.key()).append(" = ").append(setting.envName())
                    .append(setting.defaultValue().map(value -> " (" + value + ")").orElse(""))
                    .append("\n      ").append(setting.description()).append('\n');
        }
        return text.toString();
    }
}
