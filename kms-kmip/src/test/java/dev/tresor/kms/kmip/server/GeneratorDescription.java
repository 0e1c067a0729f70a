package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.TtlvXml;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * The conformance runner's check of a Random Number Generator attribute. Its value describes the
 * server's own generator (the files carry the recording server's, ANSI X9.31 with AES-256), so,
 * like Result Message text, it is not compared with the file; it must instead be a well-formed
 * RNG Parameters structure (spec 1.4 section 2.1.18, 2.1 section 2.1.19): only its fields, in the
 * spec's order, each once and of its type, every enumeration a named value, RNG Algorithm present,
 * and a DRBG naming its DRBG Algorithm with the hash (Hash, HMAC) or block cipher (CTR) it runs on.
 */
final class GeneratorDescription {
    private static final List<String> FIELDS = List.of("RNGAlgorithm", "CryptographicAlgorithm",
            "CryptographicLength", "HashingAlgorithm", "DRBGAlgorithm", "RecommendedCurve", "FIPS186Variation",
            "PredictionResistance");
    private static final Map<String, String> TYPES = Map.of("CryptographicLength", "Integer",
            "PredictionResistance", "Boolean");

    private GeneratorDescription() {
    }

    /** Whether {@code expected} (a file's element) is the value of a Random Number Generator attribute. */
    static boolean describes(Element expected) {
        if (expected.getTagName().equals("RandomNumberGenerator")) {
            return true;
        }
        return expected.getTagName().equals("AttributeValue") && expected.getParentNode() instanceof Element attribute
                && TtlvXml.childElements(attribute).stream().anyMatch(e -> e.getTagName().equals("AttributeName")
                        && e.getAttribute("value").equals("Random Number Generator"));
    }

    /** What is wrong with the server's value, if anything. */
    static Optional<String> problem(Element actual) {
        Map<String, String> values = new java.util.HashMap<>();
        int last = -1;
        for (Element field : TtlvXml.childElements(actual)) {
            String name = field.getTagName();
            int position = FIELDS.indexOf(name);
            if (position < 0) {
                return Optional.of("RNG Parameters holds no " + name);
            }
            if (position <= last) {
                return Optional.of("RNG Parameters field " + name + " repeated or out of order");
            }
            last = position;
            String type = TYPES.getOrDefault(name, "Enumeration");
            if (!field.getAttribute("type").equals(type)) {
                return Optional.of("RNG Parameters field " + name + " is a " + field.getAttribute("type") + ", not " + type);
            }
            String value = field.getAttribute("value");
            if (type.equals("Enumeration") && value.startsWith("0x")) {
                return Optional.of("RNG Parameters field " + name + " holds no defined value: " + value);
            }
            if (type.equals("Integer") && Integer.parseInt(value) <= 0) {
                return Optional.of("RNG Parameters Cryptographic Length " + value + " is not positive");
            }
            values.put(name, value);
        }
        if (!values.containsKey("RNGAlgorithm")) {
            return Optional.of("RNG Parameters without RNG Algorithm");
        }
        if (values.get("RNGAlgorithm").equals("DRBG")) {
            String mechanism = values.get("DRBGAlgorithm");
            if (mechanism == null) {
                return Optional.of("a DRBG without DRBG Algorithm");
            }
            String basis = mechanism.equals("CTR") ? "CryptographicAlgorithm" : "HashingAlgorithm";
            if (!values.containsKey(basis)) {
                return Optional.of("a " + mechanism + " DRBG without " + basis);
            }
        }
        return Optional.empty();
    }
}
