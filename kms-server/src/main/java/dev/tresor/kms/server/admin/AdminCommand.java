package dev.tresor.kms.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.server.Arguments;
import dev.tresor.kms.server.UsageError;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.Regions;
import dev.tresor.kms.tenant.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/** The CLI's clients of the admin API (docs/operations.md), one constant per subcommand. */
public enum AdminCommand {
    INIT("init", "--shares N --threshold T",
            "initialise the Shamir seal; prints the unseal shares and the operator token, once",
            Set.of("shares", "threshold"), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            long shares = call.args().positiveNumber("shares");
            long threshold = call.args().positiveNumber("threshold");
            if (threshold > shares || shares > 255) {
                throw new UsageError("init: need 1 <= threshold <= shares <= 255, got threshold " + threshold
                        + " of " + shares + " shares");
            }
            return call.client().post("/admin/v1/init", object().put("shares", shares).put("threshold", threshold));
        }
    },
    UNSEAL("unseal", "[SHARE]", "provide one unseal share (read from standard input if not given)",
            Set.of(), Set.of(), 1) {
        @Override
        JsonNode run(Call call) {
            String share = call.args().positional(0).orElseGet(AdminCommand::readLine);
            if (share.isBlank()) {
                throw new UsageError("unseal: the share is empty");
            }
            return call.client().post("/admin/v1/unseal", object().put("share", share.strip()));
        }
    },
    PROJECT_CREATE("project create",
            "[--id UUID] [--calls-per-hour N] [--kmip-exportable] [--kmip-aes-mac-with-cipher]",
            "create a project (a KMS instance per region); needs the operator token",
            Set.of("id", "calls-per-hour"), Set.of("kmip-exportable", "kmip-aes-mac-with-cipher"), 0) {
        @Override
        JsonNode run(Call call) {
            ObjectNode body = object();
            call.args().option("id").ifPresent(id -> body.put("projectId", segment("--id", id)));
            if (call.args().option("calls-per-hour").isPresent()) {
                body.put("callsPerHour", call.args().positiveNumber("calls-per-hour"));
            }
            body.put("kmipExportableByDefault", call.args().flag("kmip-exportable"));
            body.put("kmipAesMacWithCipher", call.args().flag("kmip-aes-mac-with-cipher"));
            return call.client().post("/admin/v1/projects", body);
        }
    },
    PROJECT_LIST("project list", "", "list the projects; needs the operator token", Set.of(), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            return call.client().get("/admin/v1/projects");
        }
    },
    TOKEN_CREATE("token create", "--role ROLE [--description TEXT] [--ttl SECONDS] [--project ID]",
            "create an API token (shown once); roles: admin, key-admin, crypto-user, auditor",
            Set.of("role", "description", "ttl", "project"), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            ObjectNode body = object()
                    .put("role", role(call.args()))
                    .put("description", call.args().option("description").orElse(""));
            if (call.args().option("ttl").isPresent()) {
                body.put("ttlSeconds", call.args().positiveNumber("ttl"));
            }
            return call.client().post(call.projectPath("/tokens"), body);
        }
    },
    TOKEN_LIST("token list", "[--project ID]", "list a project's API tokens (never their secrets)",
            Set.of("project"), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            return call.client().get(call.projectPath("/tokens"));
        }
    },
    TOKEN_REVOKE("token revoke", "TOKEN_ID [--project ID]", "revoke an API token",
            Set.of("project"), Set.of(), 1) {
        @Override
        JsonNode run(Call call) {
            return revoke(call, "TOKEN_ID", "/tokens/");
        }
    },
    CLIENT_CERT_REGISTER("client-cert register", "--role ROLE --cert FILE [--project ID]",
            "register a KMIP client certificate (PEM) with a role in a project",
            Set.of("role", "cert", "project"), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            String role = role(call.args());
            Path file = Path.of(call.args().required("cert"));
            String pem;
            try {
                pem = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UsageError("client-cert register: cannot read " + file);
            }
            if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
                throw new UsageError("client-cert register: " + file + " holds no PEM certificate");
            }
            return call.client().post(call.projectPath("/client-certs"),
                    object().put("role", role).put("certificatePem", pem));
        }
    },
    CLIENT_CERT_LIST("client-cert list", "[--project ID]", "list a project's KMIP client certificates",
            Set.of("project"), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            return call.client().get(call.projectPath("/client-certs"));
        }
    },
    CLIENT_CERT_REVOKE("client-cert revoke", "FINGERPRINT [--project ID]", "revoke a KMIP client certificate",
            Set.of("project"), Set.of(), 1) {
        @Override
        JsonNode run(Call call) {
            return revoke(call, "FINGERPRINT", "/client-certs/");
        }
    },
    AUDIT_EXPORT("audit export", "[--from TIME] [--to TIME] [--project ID] [--region ID]",
            "export the audit log as JSON; TIME is RFC 3339, e.g. 2026-01-31T12:00:00Z",
            Set.of("from", "to", "project", "region"), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
            Optional<Instant> from = call.args().option("from").map(text -> instant("--from", text));
            Optional<Instant> to = call.args().option("to").map(text -> instant("--to", text));
            if (from.isPresent() && to.isPresent() && to.get().isBefore(from.get())) {
                throw new UsageError("audit export: --to is before --from");
            }
            from.ifPresent(time -> query.add("from=" + URLEncoder.encode(time.toString(), StandardCharsets.UTF_8)));
            to.ifPresent(time -> query.add("to=" + URLEncoder.encode(time.toString(), StandardCharsets.UTF_8)));
            return call.client().get(call.regionPath("/export/audit") + query);
        }
    },
    METADATA_EXPORT("metadata export", "[--project ID] [--region ID]",
            "export key rings, keys and versions (metadata only) as JSON",
            Set.of("project", "region"), Set.of(), 0) {
        @Override
        JsonNode run(Call call) {
            return call.client().get(call.regionPath("/export/metadata"));
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final String name;
    private final String synopsis;
    private final String summary;
    private final Set<String> options;
    private final Set<String> flags;
    private final int positionals;

    AdminCommand(String name, String synopsis, String summary, Set<String> options, Set<String> flags,
                 int positionals) {
        this.name = name;
        this.synopsis = synopsis;
        this.summary = summary;
        this.options = options;
        this.flags = flags;
        this.positionals = positionals;
    }

    abstract JsonNode run(Call call);

    public String synopsis() {
        return (name + " " + synopsis).strip();
    }

    public String summary() {
        return summary;
    }

    /** Whether {@code args} starts with this command's name (one or two words). */
    public boolean matches(List<String> args) {
        List<String> words = List.of(name.split(" "));
        return args.size() >= words.size() && args.subList(0, words.size()).equals(words);
    }

    /** Runs the command named at the start of {@code args} and answers what to print. */
    public String execute(List<String> args, Map<String, String> environment) {
        List<String> rest = args.subList(name.split(" ").length, args.size());
        Set<String> valueOptions = new HashSet<>(Connection.OPTIONS);
        valueOptions.addAll(options);
        Arguments parsed = Arguments.parse(name, rest, valueOptions, flags, positionals);
        Connection connection = Connection.resolve(parsed, environment);
        if (this != INIT && this != UNSEAL) {
            connection.requireToken(name);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run(new Call(parsed, connection,
                    new AdminClient(connection))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private static JsonNode revoke(Call call, String what, String collection) {
        String id = segment(what, call.args().requiredPositional(0, what));
        call.client().delete(call.projectPath(collection + id));
        return object().put("revoked", id);
    }

    private static String role(Arguments args) {
        String role = args.required("role");
        try {
            return Role.fromWire(role).wireName();
        } catch (KmsError e) {
            throw new UsageError(args.command() + ": " + e.getMessage());
        }
    }

    /** Ids go into URL paths: only characters that need no escaping. */
    private static String segment(String what, String value) {
        if (!SEGMENT.matcher(value).matches()) {
            throw new UsageError(what + ": '" + value + "' is not a valid id");
        }
        return value;
    }

    private static Instant instant(String option, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new UsageError("audit export: " + option + " '" + text + "' is not an RFC 3339 time");
        }
    }

    private static String readLine() {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return line == null ? "" : line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One invocation: its arguments and the server it talks to. */
    record Call(Arguments args, Connection connection, AdminClient client) {
        String project() {
            return segment("--project", args.option("project").or(connection::defaultProject).orElseThrow(
                    () -> new UsageError(args.command() + ": --project is required (no dev.json here)")));
        }

        String projectPath(String suffix) {
            return "/admin/v1/projects/" + project() + suffix;
        }

        String regionPath(String suffix) {
            return "/v1/projects/" + project() + "/regions/" + segment("--region", args.option("region")
                    .orElse(Regions.DEFAULT)) + suffix;
        }
    }
}
