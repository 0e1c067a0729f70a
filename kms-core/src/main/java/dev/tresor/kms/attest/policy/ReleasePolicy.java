package dev.tresor.kms.attest.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A key's release policy (ATTESTATION.md §3): {@code {"version":"1.0", "allOf"|"anyOf": [...]}}
 * of claim conditions and nested groups. Fully validated when parsed — unknown claims or
 * operators, type or hex-length mismatches, depth over 8, more than 16 KiB, {@code in} with 0 or
 * more than 256 values, sim-snp while simulation is off — so evaluation cannot fail.
 */
public final class ReleasePolicy {
    public static final int MAX_BYTES = 16 * 1024;
    public static final int MAX_DEPTH = 8;
    public static final int MAX_IN_VALUES = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Condition.Group root;
    private final Set<String> claims;

    private ReleasePolicy(Condition.Group root, Set<String> claims) {
        this.root = root;
        this.claims = Set.copyOf(claims);
    }

    public static ReleasePolicy parse(String json, PolicyContext context) {
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid("is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw invalid("must be a JSON object");
        }
        if (!"1.0".equals(tree.path("version").asText(null)) || !tree.path("version").isTextual()) {
            throw invalid("must have \"version\": \"1.0\"");
        }
        Parser parser = new Parser(context);
        Condition.Group root = parser.group(tree, "", 1, Set.of("version"), false);
        return new ReleasePolicy(root, parser.claims);
    }

    /** Whether any condition names {@code claim} (the baseline lets such a policy decide it). */
    public boolean constrains(String claim) {
        return claims.contains(claim);
    }

    public Condition.Group root() {
        return root;
    }

    public Decision evaluate(AttestationResult result) {
        return evaluate(root, result.claims());
    }

    private static Decision evaluate(Condition condition, Map<String, Object> claims) {
        if (condition instanceof Condition.ClaimCondition c) {
            return new Decision(holds(c, claims.get(c.claim())), c.path() + " " + c.claim() + " "
                    + c.operator().jsonName());
        }
        Condition.Group g = (Condition.Group) condition;
        if (g.authority().isPresent() && !g.authority().get().equals(claims.get("authority"))) {
            return new Decision(false, g.path() + " authority");
        }
        Decision last = new Decision(g.all(), g.path());
        for (Condition child : g.conditions()) {
            Decision decision = evaluate(child, claims);
            if (decision.allowed() != g.all()) {
                return decision;
            }
            last = decision;
        }
        return g.all() ? last : new Decision(false, g.path() + " anyOf");
    }

    private static boolean holds(Condition.ClaimCondition condition, Object actual) {
        Object expected = condition.value();
        if (condition.operator() == Operator.EXISTS) {
            return (actual != null) == (Boolean) expected;
        }
        if (actual == null || condition.operator().ordered() && !(actual instanceof Number)) {
            return false;
        }
        return switch (condition.operator()) {
            case EQUALS -> same(actual, expected);
            case NOT_EQUALS -> !same(actual, expected);
            case IN -> ((List<?>) expected).stream().anyMatch(v -> same(actual, v));
            case LESS -> compare(actual, expected) < 0;
            case LESS_OR_EQUALS -> compare(actual, expected) <= 0;
            case GREATER -> compare(actual, expected) > 0;
            case GREATER_OR_EQUALS -> compare(actual, expected) >= 0;
            case EXISTS -> throw new IllegalStateException("handled above");
        };
    }

    /** Hex and other strings compare case-insensitively only when both sides are hex. */
    private static boolean same(Object actual, Object expected) {
        if (actual instanceof String a && expected instanceof String e && isHex(a) && isHex(e)) {
            return a.toLowerCase(Locale.ROOT).equals(e.toLowerCase(Locale.ROOT));
        }
        if (actual instanceof Number a && expected instanceof Number e) {
            return a.longValue() == e.longValue();
        }
        return actual.equals(expected);
    }

    private static int compare(Object actual, Object expected) {
        return Long.compare(((Number) actual).longValue(), ((Number) expected).longValue());
    }

    private static boolean isHex(String s) {
        return !s.isEmpty() && s.length() % 2 == 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    static KmsError invalid(String problem) {
        return KmsError.invalid("release policy " + problem);
    }

    /** One parse: validates as it builds and remembers the claims named. */
    private static final class Parser {
        private final PolicyContext context;
        private final Set<String> claims = new HashSet<>();

        Parser(PolicyContext context) {
            this.context = context;
        }

        Condition.Group group(JsonNode node, String path, int depth, Set<String> allowedExtra, boolean authority) {
            if (depth > MAX_DEPTH) {
                throw invalid("nests deeper than " + MAX_DEPTH + " at " + path);
            }
            boolean hasAll = node.has("allOf");
            boolean hasAny = node.has("anyOf");
            if (hasAll == hasAny) {
                throw invalid("needs exactly one of allOf or anyOf at " + where(path));
            }
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("allOf") && !name.equals("anyOf") && !allowedExtra.contains(name)
                        && !(authority && name.equals("authority"))) {
                    throw invalid("has unknown member \"" + name + "\" at " + where(path));
                }
            }
            String key = hasAll ? "allOf" : "anyOf";
            JsonNode items = node.get(key);
            if (!items.isArray() || items.isEmpty()) {
                throw invalid("needs a non-empty array in " + key + " at " + where(path));
            }
            Optional<String> authorityName = Optional.empty();
            if (node.has("authority")) {
                if (!node.get("authority").isTextual() || node.get("authority").asText().isEmpty()) {
                    throw invalid("authority must be a non-empty string at " + where(path));
                }
                authorityName = Optional.of(node.get("authority").asText());
            }
            List<Condition> children = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                String childPath = (path.isEmpty() ? "" : path + ".") + key + "[" + i + "]";
                JsonNode child = items.get(i);
                if (!child.isObject()) {
                    throw invalid("condition at " + childPath + " is not an object");
                }
                children.add(child.has("claim") ? claim(child, childPath)
                        : group(child, childPath, depth + 1, Set.of(), true));
            }
            return new Condition.Group(where(path), authorityName, hasAll, children);
        }

        private Condition.ClaimCondition claim(JsonNode node, String path) {
            if (!node.get("claim").isTextual()) {
                throw invalid("claim name must be a string at " + path);
            }
            String claim = node.get("claim").asText();
            ClaimType type = ClaimCatalog.lookup(claim)
                    .orElseThrow(() -> invalid("names unknown claim \"" + claim + "\" at " + path));
            if (node.size() != 2) {
                throw invalid("condition at " + path + " must have the claim and exactly one operator");
            }
            String operatorName = null;
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("claim")) {
                    operatorName = name;
                }
            }
            String opName = operatorName;
            Operator operator = Operator.of(opName)
                    .orElseThrow(() -> invalid("uses unknown operator \"" + opName + "\" at " + path));
            JsonNode raw = node.get(opName);
            Object value = switch (operator) {
                case EXISTS -> {
                    if (!raw.isBoolean()) {
                        throw invalid("exists takes true or false at " + path);
                    }
                    yield raw.asBoolean();
                }
                case IN -> inValues(raw, claim, type, path);
                default -> scalar(raw, claim, type, path, operator);
            };
            if (claim.equals("tee") && !context.simulationAllowed()
                    && (value.equals("sim-snp") || value instanceof List<?> list && list.contains("sim-snp"))) {
                throw invalid("names sim-snp but the simulated TEE is disabled, at " + path);
            }
            claims.add(claim);
            return new Condition.ClaimCondition(path, claim, operator, value);
        }

        private List<Object> inValues(JsonNode raw, String claim, ClaimType type, String path) {
            List<Object> values = new ArrayList<>();
            if (raw.isObject() && raw.size() == 1 && raw.path("ref").isTextual()) {
                String name = raw.get("ref").asText();
                List<Object> set = context.referenceSets().get(name);
                if (set == null) {
                    throw invalid("names unknown reference set \"" + name + "\" at " + path);
                }
                for (Object v : set) {
                    values.add(checked(v instanceof Integer i ? Long.valueOf(i) : v, claim, type, path));
                }
            } else if (raw.isArray()) {
                for (JsonNode item : raw) {
                    values.add(scalar(item, claim, type, path, Operator.IN));
                }
            } else {
                throw invalid("in takes an array or {\"ref\": name} at " + path);
            }
            if (values.isEmpty() || values.size() > MAX_IN_VALUES) {
                throw invalid("in needs 1 to " + MAX_IN_VALUES + " values at " + path);
            }
            return values;
        }

        private Object scalar(JsonNode raw, String claim, ClaimType type, String path, Operator operator) {
            Object value;
            if (raw.isTextual()) {
                value = raw.asText();
            } else if (raw.isIntegralNumber() && raw.canConvertToLong()) {
                value = raw.asLong();
            } else if (raw.isBoolean()) {
                value = raw.asBoolean();
            } else {
                throw invalid("value at " + path + " must be a string, integer or boolean");
            }
            if (operator.ordered() && !(value instanceof Long)) {
                throw invalid(operator.jsonName() + " takes an integer at " + path);
            }
            return checked(value, claim, type, path);
        }

        private static Object checked(Object value, String claim, ClaimType type, String path) {
            String mismatch = type.mismatch(value);
            if (mismatch != null) {
                throw invalid("compares " + claim + " with a value that is not " + mismatch + ", at " + path);
            }
            return value;
        }

        private static String where(String path) {
            return path.isEmpty() ? "the top level" : path;
        }
    }
}
