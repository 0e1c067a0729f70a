package dev.tresor.kms.server;

import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.service.SealStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve [--dev] [--config FILE]}: starts the server, prints how to reach it, ends with
 * {@code tresor: ready}; on SIGTERM or SIGINT stops it in order and ends with {@code tresor: stopped}.
 */
final class ServeCommand {
    private ServeCommand() {
    }

    static int run(List<String> args, Map<String, String> environment, PrintStream out) {
        Arguments parsed = Arguments.parse("serve", args, Set.of("config"), Set.of("dev"), 0);
        Optional<Path> configFile = parsed.option("config")
                .or(() -> Optional.ofNullable(environment.get("TRESOR_CONFIG")))
                .map(Path::of);
        ServerConfig config = ServerConfig.load(parsed.flag("dev"), configFile, environment);
        TresorServer server = TresorServer.start(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("tresor: stopping");
            try {
                server.stop();
                out.println("tresor: stopped");
            } catch (RuntimeException e) {
                out.println("tresor: stop failed: " + e.getMessage());
            } finally {
                out.flush();
                stopped.countDown();
            }
        }, "tresor-shutdown"));
        server.devFacts().ifPresentOrElse(facts -> printDev(out, config, facts),
                () -> printProduction(out, config, server));
        out.println("tresor: ready");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }

    private static void printDev(PrintStream out, ServerConfig config, DevFacts facts) {
        Path devJson = facts.caFile().resolveSibling("dev.json");
        out.println("tresor: DEV MODE: the unseal key is a file in " + config.dataDir().toAbsolutePath().normalize()
                + "; never keep real keys in this server");
        out.println("tresor: REST API  " + facts.restUrl() + "  (CA " + facts.caFile() + ")");
        out.println("tresor: KMIP      " + facts.kmipHost() + ":" + facts.kmipPort() + "  (client certificate "
                + facts.kmipClientCertificate() + ", key " + facts.kmipClientKey() + ")");
        out.println("tresor: project   " + facts.projectId() + ", region " + facts.regionId()
                + "; admin token and all of the above in " + devJson);
        out.println("tresor: PKCS#11   export TRESOR_PKCS11_CONF=" + facts.pkcs11Conf());
        out.println("tresor: try       curl --cacert " + facts.caFile() + " -H \"Authorization: Bearer $(jq -r"
                + " .adminToken " + devJson + ")\" " + facts.restUrl() + "/v1/projects/" + facts.projectId()
                + "/regions/" + facts.regionId() + "/keyrings");
    }

    private static void printProduction(PrintStream out, ServerConfig config, TresorServer server) {
        out.println("tresor: REST API  https://" + config.listenHost() + ":" + server.restPort());
        server.kmipPort().ifPresentOrElse(
                port -> out.println("tresor: KMIP      " + config.listenHost() + ":" + port + " (mutual TLS)"),
                () -> out.println("tresor: KMIP      off: set kmip.tls.client.ca to the CA of its client"
                        + " certificates"));
        SealStatus seal = server.sealStatus();
        if (!seal.initialized()) {
            out.println("tresor: not initialised: run `tresor init --shares N --threshold T` once");
        } else if (seal.sealed()) {
            out.println("tresor: sealed: " + seal.threshold() + " operators must each run `tresor unseal`");
        }
    }
}
