package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.OasisTestCases;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvXml;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Replays the OASIS profile test cases of every profile (mandatory and optional files of 1.0, 1.3,
 * 1.4, 2.0 and 2.1) against the real server: binary TTLV over the mutual-TLS port, each file in a
 * fresh project (the storage-client profiles' files, steps of one client, share one per folder).
 * Responses are compared element by element, names, types, order and values; only values the
 * server makes up are wildcards ($UNIQUE_IDENTIFIER_n, IVs, keys, signatures ...: bound at first
 * sight, then required to repeat; literal outputs that are provably random count as such
 * placeholders, see {@link ServerRandom}), and the plaintext of a literal ciphertext under an AES
 * key the server generated in the file (CS-BC-M-2), which is not compared with the recording but
 * with the runner's own decryption under the key's material from a Get of its own
 * ({@link PlaintextCheck}); further not compared are every Date-Time of a response (the 1.0
 * files hold the literal times of the server that recorded them), the optional Server Correlation Value and
 * the Digest Value (literal in the files, yet a digest of key material the server generated), the
 * lists of a Query answer (the answering server's own), Result Message text, which the spec
 * leaves free, and the value of the Random Number Generator attribute, which describes the
 * server's own generator and must be well-formed instead ({@link GeneratorDescription}). Prints
 * PASS/FAIL per file with the first difference and writes the table to target/kmip-conformance.txt
 * and the summary tables to target/kmip-conformance-summary.md; fails if fewer files pass than the
 * recorded baseline.
 */
class OasisConformanceTest {
    /** Files that passed when this baseline was recorded; the build fails if fewer pass. */
    private static final int BASELINE = 302;
    /**
     * Every project of the runner takes both legacy opt-ins, as legacy clients may: objects are
     * exportable by default, and an AES key may MAC beside ciphering (CS-AC-M-4/5/6 register such a key).
     */
    private static final KmipLegacy LEGACY = new KmipLegacy(true, true);
    /** Every profile of the OASIS folders; its files are named {@code <profile>-M-...} (mandatory) or {@code -O-}. */
    private static final Pattern PROFILE = Pattern.compile("^(BL|SKLC|CS-BC|CS-AC|AKLC|OMOS"
            + "|SKFF|SASED|TL|QS|SUITEB_128|SUITEB_192|MSGENC-HTTPS|MSGENC-JSON|MSGENC-XML|PKCS11|CS-RNG|AX"
            + ")-[MO]-.*\\.xml$");
    private static final Pattern NOW = Pattern.compile("^\\$NOW([+-]\\d+)?$");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");
    /** Values the server chooses freely: a correlation value, the digest of key material it generated. */
    private static final Set<String> SERVER_CHOSEN = Set.of("DigestValue");
    private static final Instant DUMMY_TIME = Instant.parse("1901-01-01T00:00:00Z");

    /** Profiles whose files are steps of one client's session: a later file finds what an earlier one stored. */
    private static final Set<String> SEQUENCES = Set.of("SASED", "TL");
    /**
     * What the client offers for the profiles that fix the TLS parameters: the Suite B cipher suites
     * over TLS 1.2, TLS 1.3 only for Quantum Safe.
     */
    private static final Map<String, KmipTestClient.Offer> TLS = Map.of(
            "SUITEB_128", new KmipTestClient.Offer(List.of("TLSv1.2"),
                    List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")),
            "SUITEB_192", new KmipTestClient.Offer(List.of("TLSv1.2"),
                    List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")),
            "QS", new KmipTestClient.Offer(List.of("TLSv1.3"), List.of()));
    /** The message encoding profiles, replayed over the KMIP HTTPS listener in their encoding. */
    private static final Map<String, HttpEncoding> OVER_HTTPS = Map.of(
            "MSGENC-HTTPS", HttpEncoding.TTLV, "MSGENC-JSON", HttpEncoding.JSON, "MSGENC-XML", HttpEncoding.XML);
    private static final List<String> FOLDERS = List.of("1.0/mandatory", "1.0/optional", "1.3/mandatory",
            "1.3/optional", "1.4/mandatory", "1.4/optional", "2.0/mandatory", "2.0/optional", "2.1/mandatory",
            "2.1/optional");
    /** Cosmian's server CI (JSON over HTTP, lenient comparison) on the same folders, see KMIP.md 1.1. */
    private static final Map<String, String> COSMIAN = Map.of(
            "1.4/mandatory", "65/68", "1.4/optional", "1/7", "2.1/mandatory", "80/86", "2.1/optional", "3/7");

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    static List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path file : OasisTestCases.files(FOLDERS.toArray(String[]::new))) {
            String name = file.getFileName().toString();
            boolean duplicate = OasisTestCases.name(file).startsWith("1.3/mandatory") && name.contains("-O-");
            if (PROFILE.matcher(name).matches() && !duplicate) {
                files.add(file);
            }
        }
        return files;
    }

    private static String profile(Path file) {
        Matcher matcher = PROFILE.matcher(file.getFileName().toString());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a profile test case: " + file);
        }
        return matcher.group(1);
    }

    private static String folder(String name) {
        return name.substring(0, name.lastIndexOf('/'));
    }

    /** Sends one request and returns the answer. */
    @FunctionalInterface
    interface Transport {
        Ttlv call(Ttlv request) throws Exception;
    }

    /** One client of a new project, over the transport its profile needs, with what it learned of the server's random outputs. */
    private record Session(Transport transport, AutoCloseable connection, ServerRandom random) implements AutoCloseable {
        static Session open(String profile) throws Exception {
            KmipTestServer server = LOOPBACK.server();
            HttpEncoding encoding = OVER_HTTPS.get(profile);
            if (encoding != null) {
                KmipHttpsTestClient https = server.httpsClient(server.certificateOfNewProject(Role.ADMIN, 1_000_000,
                        LEGACY));
                return new Session(request -> https.call(request, encoding), () -> { }, new ServerRandom());
            }
            KmipTestClient client = server.clientOfNewProject(Role.ADMIN, 1_000_000, LEGACY,
                    TLS.getOrDefault(profile, KmipTestClient.Offer.DEFAULT));
            return new Session(client::call, client, new ServerRandom());
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    @Test
    void replayTheProfiles() throws Exception {
        Map<String, String> results = new TreeMap<>();
        Map<String, Session> sequences = new HashMap<>();
        try {
            for (Path file : files()) {
                String name = OasisTestCases.name(file);
                String profile = profile(file);
                results.put(name, result(file, profile, sequences));
                System.out.println(name + " " + results.get(name));
            }
        } finally {
            for (Session session : sequences.values()) {
                session.close();
            }
        }
        StringBuilder table = new StringBuilder();
        results.forEach((name, result) -> table.append(name).append('\t').append(result).append('\n'));
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "kmip-conformance.txt"), table, StandardCharsets.UTF_8);
        Files.writeString(Path.of("target", "kmip-conformance-summary.md"), summary(results), StandardCharsets.UTF_8);
        long passed = results.values().stream().filter("PASS"::equals).count();
        System.out.println(passed + " of " + results.size() + " files pass");
        assertTrue(passed >= BASELINE, passed + " files pass, fewer than the baseline " + BASELINE);
    }

    /** PASS, or FAIL with the first difference; a file of a sequence runs in the session of its profile's folder. */
    private String result(Path file, String profile, Map<String, Session> sequences) throws Exception {
        String key = folder(OasisTestCases.name(file)) + "/" + profile;
        boolean sequence = SEQUENCES.contains(profile);
        Session session = sequence ? sequences.get(key) : null;
        if (session == null) {
            session = Session.open(profile);
            if (sequence) {
                sequences.put(key, session);
            }
        }
        Optional<String> difference;
        try {
            difference = replay(file, session.transport(), session.random(), LOOPBACK.server().core.clock());
        } catch (Exception | AssertionError e) {
            difference = Optional.of("error: " + e);
        } finally {
            if (!sequence) {
                session.close();
            }
        }
        return difference.map(d -> "FAIL " + d).orElse("PASS");
    }

    /** Markdown tables: per folder (with Cosmian's figures beside), and per profile and version. */
    private static String summary(Map<String, String> results) {
        StringBuilder out = new StringBuilder("| folder | files | pass | Cosmian (JSON over HTTP, lenient) |\n"
                + "|---|---:|---:|---|\n");
        int files = 0;
        int pass = 0;
        for (String folder : FOLDERS) {
            List<String> in = results.keySet().stream().filter(n -> folder(n).equals(folder)).toList();
            long passing = in.stream().filter(n -> results.get(n).equals("PASS")).count();
            out.append("| ").append(folder).append(" | ").append(in.size()).append(" | ").append(passing)
                    .append(" | ").append(COSMIAN.getOrDefault(folder, "parse only")).append(" |\n");
            files += in.size();
            pass += (int) passing;
        }
        out.append("| **total** | **").append(files).append("** | **").append(pass).append("** | |\n\n");
        List<String> versions = FOLDERS.stream().map(f -> f.substring(0, f.indexOf('/'))).distinct().toList();
        out.append("| profile |");
        versions.forEach(v -> out.append(' ').append(v).append(" |"));
        out.append(" all |\n|---|");
        versions.forEach(v -> out.append("---:|"));
        out.append("---:|\n");
        Map<String, List<String>> byProfile = new TreeMap<>();
        results.keySet().forEach(n -> byProfile.computeIfAbsent(profile(Path.of(n)), p -> new ArrayList<>()).add(n));
        byProfile.forEach((profile, names) -> {
            out.append("| ").append(profile).append(" |");
            for (String version : versions) {
                List<String> in = names.stream().filter(n -> n.startsWith(version + "/")).toList();
                out.append(' ').append(in.isEmpty() ? "–" : passing(in, results) + "/" + in.size()).append(" |");
            }
            out.append(' ').append(passing(names, results)).append('/').append(names.size()).append(" |\n");
        });
        return out.toString();
    }

    private static long passing(List<String> names, Map<String, String> results) {
        return names.stream().filter(n -> results.get(n).equals("PASS")).count();
    }

    /**
     * Replays one file through {@code transport}, with what {@code random} learned of the server's
     * random outputs so far; {@code $NOW} is read from {@code clock}. Empty if every answer matches.
     */
    static Optional<String> replay(Path file, Transport transport, ServerRandom random, Clock clock)
            throws Exception {
        Map<String, String> bound = new HashMap<>();
        List<OasisTestCases.Exchange> exchanges = OasisTestCases.exchanges(file);
        List<Element> requests = exchanges.stream().map(OasisTestCases.Exchange::request).toList();
        // a placeholder the file binds from a response itself is never an alias of another output
        Set<String> fromResponses = new HashSet<>();
        exchanges.forEach(e -> collectPlaceholders(e.response(), fromResponses));
        int index = 0;
        for (OasisTestCases.Exchange exchange : exchanges) {
            random.prepareRequest(exchange.request());
            Ttlv request = TtlvXml.read(exchange.request(),
                    (type, placeholder) -> requestValue(type, placeholder, bound, clock));
            Ttlv answer = transport.call(request);
            Element actual = canonicalActual(answer);
            random.learn(exchange.request(), actual);
            ServerRandom.Prepared prepared = random.prepareResponse(exchange.request(), exchange.response(), actual,
                    bound, requests.subList(index + 1, requests.size()));
            String where = "message " + index;
            Optional<String> difference = compare(exchange.response(), actual, bound, where);
            for (PlaintextCheck.Decryption decryption : prepared.decryptsToVerify()) {
                if (difference.isEmpty()) {
                    difference = PlaintextCheck.verify(transport, request, answer, decryption)
                            .map(problem -> where + ": " + problem);
                }
            }
            if (difference.isPresent()) {
                return difference;
            }
            Map<String, String> aliases = prepared.aliases();
            aliases.keySet().removeAll(fromResponses);
            aliases.forEach((alias, source) -> Optional.ofNullable(source.startsWith("$") ? bound.get(source) : source)
                    .ifPresent(value -> bound.putIfAbsent(alias, value)));
            index++;
        }
        return Optional.empty();
    }

    private static void collectPlaceholders(Element element, Set<String> placeholders) {
        if (element.getAttribute("value").startsWith("$")) {
            placeholders.add(element.getAttribute("value"));
        }
        TtlvXml.childElements(element).forEach(child -> collectPlaceholders(child, placeholders));
    }

    private static String requestValue(ItemType type, String placeholder, Map<String, String> bound, Clock clock) {
        Matcher now = NOW.matcher(placeholder);
        if (now.matches()) {
            long offset = now.group(1) == null ? 0 : Long.parseLong(now.group(1));
            return ISO.format(clock.instant().plusSeconds(offset).atOffset(ZoneOffset.UTC));
        }
        String value = bound.get(placeholder);
        if (value == null) {
            throw new IllegalStateException("request uses " + placeholder + " before any response set it");
        }
        return value;
    }

    private static Element canonicalActual(Ttlv response) throws Exception {
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
        return TtlvXml.write(document, response);
    }

    /**
     * Compares the expected element (with its placeholders) to the actual one, binding
     * placeholders the first time they appear. The expected side is first canonicalised (read
     * and re-written) so that spelling differences of equal values do not count.
     */
    static Optional<String> compare(Element expectedRaw, Element actual, Map<String, String> bound,
                                            String where) throws Exception {
        Map<String, String> dummies = new HashMap<>();
        Ttlv expectedTree = TtlvXml.read(expectedRaw, (type, placeholder) -> dummy(type, placeholder, dummies));
        Element expected = TtlvXml.write(DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument(),
                expectedTree);
        return compareElements(expected, actual, dummies, bound, where);
    }

    private static String dummy(ItemType type, String placeholder, Map<String, String> dummies) {
        String text = switch (type) {
            case TEXT_STRING -> placeholder;
            case BYTE_STRING -> HexFormat.of().formatHex(placeholder.getBytes(StandardCharsets.UTF_8));
            case DATE_TIME -> ISO.format(DUMMY_TIME.plusSeconds(dummies.size()).atOffset(ZoneOffset.UTC));
            default -> throw new IllegalStateException("placeholder " + placeholder + " in a " + type);
        };
        dummies.put(text, placeholder);
        return text;
    }

    private static Optional<String> compareElements(Element expected, Element actual, Map<String, String> dummies,
                                                    Map<String, String> bound, String where) {
        String path = where + "/" + expected.getTagName();
        if (!expected.getTagName().equals(actual.getTagName())) {
            return Optional.of(path + ": expected " + expected.getTagName() + ", got " + actual.getTagName());
        }
        if (!expected.getAttribute("type").equals(actual.getAttribute("type"))) {
            return Optional.of(path + ": expected type " + expected.getAttribute("type") + ", got "
                    + actual.getAttribute("type"));
        }
        if (expected.getTagName().equals("ResponsePayload") && answersQuery(expected)) {
            return compareQueryAnswer(expected, actual, path);
        }
        String expectedValue = expected.getAttribute("value");
        String actualValue = actual.getAttribute("value");
        String placeholder = dummies.get(expectedValue);
        if (GeneratorDescription.describes(expected)) {
            return GeneratorDescription.problem(actual).map(problem -> path + ": " + problem);
        }
        if (expected.getAttribute("type").equals("DateTime") || SERVER_CHOSEN.contains(expected.getTagName())) {
            return compareChildren(expected, actual, dummies, bound, path);
        }
        if (placeholder != null && !expectedValue.isEmpty()) {
            if (!NOW.matcher(placeholder).matches()) {
                String previous = bound.putIfAbsent(placeholder, actualValue);
                if (previous != null && !previous.equals(actualValue)) {
                    return Optional.of(path + ": " + placeholder + " was " + previous + ", now " + actualValue);
                }
            }
        } else if (!expected.getTagName().equals("ResultMessage") && !expectedValue.equals(actualValue)) {
            return Optional.of(path + ": expected '" + expectedValue + "', got '" + actualValue + "'"
                    + resultMessage(actual));
        }
        return compareChildren(expected, actual, dummies, bound, path);
    }

    private static boolean answersQuery(Element payload) {
        return payload.getParentNode() instanceof Element item && TtlvXml.childElements(item).stream()
                .anyMatch(e -> e.getTagName().equals("Operation") && e.getAttribute("value").equals("Query"));
    }

    /**
     * A Query answer lists what the answering server offers (its operations, object types, vendor
     * and server information), so the recording server's lists cannot be compared value by value:
     * the answer must carry every kind of item the file's answer carries, each with the server's
     * own values.
     */
    private static Optional<String> compareQueryAnswer(Element expected, Element actual, String path) {
        Set<String> answered = new HashSet<>();
        significant(actual).forEach(e -> answered.add(e.getTagName()));
        return significant(expected).stream().map(Element::getTagName).filter(tag -> !answered.contains(tag))
                .findFirst().map(tag -> path + ": the answer lists no " + tag);
    }

    /** Child elements without the optional, server-chosen Server Correlation Value. */
    private static List<Element> significant(Element parent) {
        return TtlvXml.childElements(parent).stream()
                .filter(e -> !e.getTagName().equals("ServerCorrelationValue")).toList();
    }

    /** The server's Result Message beside a differing field, which says why it refused. */
    private static String resultMessage(Element actual) {
        return actual.getParentNode() instanceof Element item ? TtlvXml.childElements(item).stream()
                .filter(e -> e.getTagName().equals("ResultMessage")).findFirst()
                .map(e -> " (" + e.getAttribute("value") + ")").orElse("") : "";
    }

    private static Optional<String> compareChildren(Element expected, Element actual, Map<String, String> dummies,
                                                    Map<String, String> bound, String path) {
        List<Element> expectedChildren = significant(expected);
        List<Element> actualChildren = significant(actual);
        for (int i = 0; i < Math.max(expectedChildren.size(), actualChildren.size()); i++) {
            if (i >= expectedChildren.size()) {
                return Optional.of(path + ": unexpected " + actualChildren.get(i).getTagName());
            }
            if (i >= actualChildren.size()) {
                return Optional.of(path + ": missing " + expectedChildren.get(i).getTagName());
            }
            Optional<String> difference = compareElements(expectedChildren.get(i), actualChildren.get(i), dummies,
                    bound, path);
            if (difference.isPresent()) {
                return difference;
            }
        }
        return Optional.empty();
    }
}
