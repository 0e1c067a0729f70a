package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;

/**
 * Reads the Wycheproof files in {@code ${tresor.shared}/testdata/wycheproof} and collects the
 * outcome of every case, Tink style: all mismatches are gathered and asserted empty at the end.
 * Missing data fails the test; it never skips.
 */
final class WycheproofVectors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WycheproofVectors() {
    }

    static Path directory() {
        String shared = System.getProperty("tresor.shared");
        assertTrue(shared != null, "system property tresor.shared is not set");
        Path dir = Path.of(shared, "testdata", "wycheproof");
        assertTrue(Files.isDirectory(dir), "Wycheproof vectors missing: " + dir);
        return dir;
    }

    /** The file names starting with {@code prefix}, sorted; fails when there is none. */
    static List<String> files(String prefix) {
        try (Stream<Path> list = Files.list(directory())) {
            List<String> names = list.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith("_test.json")).sorted().toList();
            assertTrue(!names.isEmpty(), "no Wycheproof file starts with " + prefix);
            return names;
        } catch (IOException e) {
            throw new AssertionError("cannot list " + directory(), e);
        }
    }

    /** Every case of a file; checks the count against the file's {@code numberOfTests}. */
    static List<Case> cases(String file) {
        JsonNode root;
        try {
            root = JSON.readTree(directory().resolve(file).toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read Wycheproof file " + file, e);
        }
        List<Case> cases = new ArrayList<>();
        for (JsonNode group : root.get("testGroups")) {
            for (JsonNode test : group.get("tests")) {
                cases.add(new Case(file, group, test));
            }
        }
        assertEquals(root.get("numberOfTests").asInt(), cases.size(), file + ": numberOfTests");
        return cases;
    }

    static KeyType rsaType(int bits) {
        return switch (bits) {
            case 2048 -> KeyType.RSA_2048;
            case 3072 -> KeyType.RSA_3072;
            case 4096 -> KeyType.RSA_4096;
            default -> null;
        };
    }

    /** Tresor's scheme of a family (name prefix such as {@code RSA_PSS_}) with this hash, or null if there is none. */
    static Scheme scheme(String prefix, String sha) {
        return Arrays.stream(Scheme.values()).filter(s -> s.name().startsWith(prefix) && sha.equals(s.hash()))
                .findFirst().orElse(null);
    }

    /** One test case with its group. */
    record Case(String file, JsonNode group, JsonNode test) {
        int tcId() {
            return test.get("tcId").asInt();
        }

        String result() {
            return test.get("result").asText();
        }

        boolean valid() {
            return "valid".equals(result());
        }

        boolean acceptable() {
            return "acceptable".equals(result());
        }

        byte[] bytes(String field) {
            return HexFormat.of().parseHex(test.get(field).asText());
        }

        byte[] groupBytes(String field) {
            return HexFormat.of().parseHex(group.get(field).asText());
        }

        String groupText(String field) {
            JsonNode node = group.get(field);
            return node == null ? "" : node.asText();
        }

        int groupInt(String field) {
            return group.get(field).asInt();
        }

        @Override
        public String toString() {
            return file + " tcId " + tcId() + " (" + test.get("comment").asText() + ", " + test.get("flags") + ")";
        }
    }

    /**
     * The outcome of a family. {@code acceptedAcceptable} is the family's documented policy for
     * {@code acceptable} cases: true if Tresor accepts them, false if it rejects them.
     */
    static final class Report {
        private final boolean acceptedAcceptable;
        private final List<String> failures = new ArrayList<>();
        private final TreeMap<String, Integer> counts = new TreeMap<>();

        Report(boolean acceptedAcceptable) {
            this.acceptedAcceptable = acceptedAcceptable;
        }

        /** Tresor supports the case's parameters: valid must be accepted, invalid rejected. */
        void expect(Case c, boolean accepted) {
            boolean wanted = c.acceptable() ? acceptedAcceptable : c.valid();
            count(c.acceptable() ? "acceptable" : c.result());
            if (accepted != wanted) {
                failures.add(c + ": expected " + (wanted ? "accept" : "reject") + " of a " + c.result() + " case");
            }
        }

        /** Tresor does not support the case's parameters (the reason says which): it must be rejected. */
        void mustReject(Case c, boolean accepted, String reason) {
            count("must reject: " + reason);
            if (accepted) {
                failures.add(c + ": accepted although " + reason);
            }
        }

        /** Tresor deliberately accepts the case (the reason says why), whatever Wycheproof's verdict. */
        void mustAccept(Case c, boolean accepted, String reason) {
            count("must accept: " + reason);
            if (!accepted) {
                failures.add(c + ": rejected although " + reason);
            }
        }

        /** A family or file Tresor has no scheme for at all. */
        void outOfScope(Case c, String reason) {
            count("out of scope: " + reason);
        }

        void problem(Case c, String problem) {
            failures.add(c + ": " + problem);
        }

        private void count(String kind) {
            counts.merge(kind, 1, Integer::sum);
        }

        /** Asserts no failures and that at least {@code minChecked} cases were really checked. */
        void assertClean(int minChecked) {
            int checked = counts.entrySet().stream().filter(e -> !e.getKey().startsWith("out of scope"))
                    .mapToInt(e -> e.getValue()).sum();
            if (!failures.isEmpty()) {
                Assertions.fail(failures.size() + " Wycheproof failures (counts " + counts + "):\n" + String.join("\n", failures));
            }
            assertTrue(checked >= minChecked, "only " + checked + " cases checked: " + counts);
        }

        @Override
        public String toString() {
            return counts.toString();
        }
    }
}
