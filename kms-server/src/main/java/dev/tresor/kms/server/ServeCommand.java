package dev.tresor.kms.server;

import dev.tresor.kms.server.config.ServerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code serve [--dev] [--config FILE]}: runs the server until SIGTERM or SIGINT. */
final class ServeCommand {
    private ServeCommand() {
    }

    static int run(List<String> args, Map<String, String> environment, PrintStream out) {
        Arguments parsed = Arguments.parse("serve", args, Set.of("config"), Set.of("dev"), 0);
        Optional<Path> configFile = parsed.option("config")
                .or(() -> Optional.ofNullable(environment.get("TRESOR_CONFIG")))
                .map(Path::of);
        ServerConfig config = ServerConfig.load(parsed.flag("dev"), configFile, environment);
        throw new IllegalStateException("serve: the service core is not built yet (" + config.dataDir() + ")");
    }
}
