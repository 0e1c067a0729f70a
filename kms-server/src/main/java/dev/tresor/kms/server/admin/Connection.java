package dev.tresor.kms.server.admin;

import dev.tresor.kms.server.Arguments;
import dev.tresor.kms.server.UsageError;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the admin commands find the server and how they authenticate: each from its option,
 * else its {@code TRESOR_*} variable, else the {@code dev.json} of a dev server in this
 * directory's {@code tresor-data} (or {@code $TRESOR_DATA_DIR}).
 */
record Connection(URI url, Optional<Path> caFile, Optional<String> token, Optional<String> defaultProject) {
    static final Set<String> OPTIONS = Set.of("url", "ca", "token");

    Connection {
        Objects.requireNonNull(url);
        Objects.requireNonNull(caFile);
        Objects.requireNonNull(token);
        Objects.requireNonNull(defaultProject);
    }

    static Connection resolve(Arguments args, Map<String, String> environment) {
        Path dataDir = Path.of(environment.getOrDefault("TRESOR_DATA_DIR", "tresor-data"));
        Optional<DevFacts> dev = DevFacts.read(DevFiles.in(dataDir).devJson());
        URI url = args.option("url").or(() -> Optional.ofNullable(environment.get("TRESOR_URL")))
                .map(Connection::parseUrl)
                .or(() -> dev.map(DevFacts::restUrl))
                .orElseThrow(() -> new UsageError(args.command()
                        + ": no server: pass --url, set TRESOR_URL, or run it beside a serve --dev data dir"));
        Optional<Path> ca = args.option("ca").or(() -> Optional.ofNullable(environment.get("TRESOR_CA")))
                .map(Path::of)
                .or(() -> dev.map(DevFacts::caFile));
        Optional<String> token = args.option("token").or(() -> Optional.ofNullable(environment.get("TRESOR_TOKEN")))
                .or(() -> dev.map(DevFacts::adminToken));
        return new Connection(url, ca, token, dev.map(DevFacts::projectId));
    }

    private static URI parseUrl(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--url: '" + text + "' is not a URL");
        }
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new UsageError("--url: '" + text + "' is not an https:// URL");
        }
        return uri;
    }

    String requireToken(String command) {
        return token.orElseThrow(() -> new UsageError(command
                + ": no admin token: pass --token, set TRESOR_TOKEN, or run it beside a serve --dev data dir"));
    }

    @Override
    public String toString() {
        return "Connection[" + url + ", ca " + caFile + ", token " + (token.isPresent() ? "***" : "none") + "]";
    }
}
