package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.TtlvXml;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * The outputs of one OASIS file (or sequence of files) that are provably random, so that no
 * server can repeat the recording server's literal value: what a key the server generated
 * (Create, Create Key Pair, ReKey) produced and its key material (Get), the output of RNG
 * Retrieve, RSA encryption (OAEP and PKCS#1 v1.5 padding are randomised), RSA-PSS and ECDSA
 * signatures (random salt and nonce), ciphertext under an IV the server chose, and the plaintext
 * of a literal ciphertext (one the file brings, not one the server made in the run) decrypted under
 * a key the server generated, which the runner then verifies ({@link PlaintextCheck}). Such a
 * literal in a response is turned into a placeholder ({@code $RANDOM_<hex>}):
 * bound to the server's value at first sight, then required to repeat, and substituted where a
 * later request sends the recorded literal back. Recorded outputs, random or not, also stand for
 * the placeholders later requests use for them ({@code $DATA_n} in order, {@code $MAC_DATA} ...).
 * Anything deterministic (AES-ECB/CBC under a registered key and client IV, PKCS#1 v1.5
 * signatures, digests of registered material) keeps the exact comparison.
 */
final class ServerRandom {
    private static final String PREFIX = "$RANDOM_";
    private static final Set<String> GENERATING = Set.of("Create", "CreateKeyPair", "ReKey", "ReKeyKeyPair");
    /** The outputs of Encrypt, Sign and MAC that later requests may send back. */
    private static final List<String> OUTPUTS = List.of("Data", "IVCounterNonce", "AuthenticatedEncryptionTag",
            "SignatureData", "MACData");
    private static final Set<String> UID_FIELDS = Set.of("UniqueIdentifier", "PrivateKeyUniqueIdentifier",
            "PublicKeyUniqueIdentifier");

    /** Unique identifiers the server generated key material for. */
    private final Set<String> generated = new HashSet<>();
    /** Registered asymmetric keys, with the Cryptographic Parameters they were registered with (if any). */
    private final Map<String, Optional<Element>> asymmetric = new HashMap<>();
    /** Recorded literal (lower-case hex) to its placeholder. */
    private final Map<String, String> literals = new HashMap<>();
    private int dataOutputs;

    /** Puts placeholders where the request sends a recorded random literal back. */
    void prepareRequest(Element request) {
        for (Element element : descendants(request)) {
            String placeholder = literals.get(element.getAttribute("value").toLowerCase(Locale.ROOT));
            if (element.getAttribute("type").equals("ByteString") && placeholder != null) {
                element.setAttribute("value", placeholder);
            }
        }
    }

    /**
     * What {@link #prepareResponse} found: the placeholders later requests use for the outputs,
     * each with what it stands for, and the batch items that are Decrypts whose plaintext was taken
     * from the server and must be verified.
     */
    record Prepared(Map<String, String> aliases, List<Integer> decryptsToVerify) {
    }

    /**
     * Turns the provably random literals of the expected response into placeholders, and returns
     * the placeholders later requests use for the outputs ({@code $DATA_n}, {@code $MAC_DATA} ...),
     * each with what it stands for: the random placeholder, or the literal itself when the output
     * is deterministic (then compared exactly); and the Decrypts to verify.
     */
    Prepared prepareResponse(Element request, Element expected, Element actual, Map<String, String> bound) {
        Map<String, String> aliases = new HashMap<>();
        List<Integer> decryptsToVerify = new java.util.ArrayList<>();
        List<Element> requestItems = items(request);
        List<Element> responseItems = items(expected);
        List<Element> actualItems = items(actual);
        for (int i = 0; i < Math.min(requestItems.size(), responseItems.size()); i++) {
            Element requestItem = requestItems.get(i);
            String operation = child(requestItem, "Operation").map(e -> e.getAttribute("value")).orElse("");
            Optional<Element> payload = child(requestItem, "RequestPayload");
            Optional<Element> answer = child(responseItems.get(i), "ResponsePayload");
            if (payload.isEmpty() || answer.isEmpty()) {
                continue;
            }
            if (operation.equals("Get") && i < actualItems.size() && returnsGeneratedKey(actualItems.get(i))) {
                descendants(answer.get()).stream().filter(e -> e.getTagName().equals("KeyMaterial"))
                        .forEach(this::makeRandom);
            }
            String uid = child(payload.get(), "UniqueIdentifier").map(e -> resolve(e.getAttribute("value"), bound))
                    .orElse("");
            List<String> random = randomFields(operation, uid, payload.get(), answer.get());
            if (operation.equals("Decrypt") && random.contains("Data")) {
                decryptsToVerify.add(i);
            }
            for (String field : OUTPUTS) {
                child(answer.get(), field).filter(e -> !e.getAttribute("value").startsWith("$")).ifPresent(e -> {
                    String literal = e.getAttribute("value").toLowerCase(Locale.ROOT);
                    String source = literal;
                    if (random.contains(field)) {
                        source = makeRandom(e);
                    }
                    aliases.put(switch (field) {
                        case "Data" -> "$DATA_" + dataOutputs++;
                        case "IVCounterNonce" -> "$IV_COUNTER_NONCE";
                        case "AuthenticatedEncryptionTag" -> "$AUTHENTICATED_ENCRYPTION_TAG";
                        case "SignatureData" -> "$SIGNATURE_DATA";
                        default -> "$MAC_DATA";
                    }, source);
                });
            }
        }
        return new Prepared(aliases, decryptsToVerify);
    }

    /** Whether a Get answer returns key material the server generated (the Get may name its key by the ID Placeholder). */
    private boolean returnsGeneratedKey(Element actualItem) {
        return child(actualItem, "ResponsePayload").flatMap(p -> child(p, "UniqueIdentifier"))
                .map(e -> generated.contains(e.getAttribute("value"))).orElse(false);
    }

    /** Turns a recorded literal into its random placeholder, remembered for later requests that send it back. */
    private String makeRandom(Element element) {
        String literal = element.getAttribute("value").toLowerCase(Locale.ROOT);
        String placeholder = PREFIX + literal;
        literals.put(literal, placeholder);
        element.setAttribute("value", placeholder);
        return placeholder;
    }

    /** Notes the keys this exchange made: generated ones, and registered asymmetric ones with their parameters. */
    void learn(Element request, Element actual) {
        List<Element> requestItems = items(request);
        List<Element> responseItems = items(actual);
        for (int i = 0; i < Math.min(requestItems.size(), responseItems.size()); i++) {
            String operation = child(requestItems.get(i), "Operation").map(e -> e.getAttribute("value")).orElse("");
            Optional<Element> answer = child(responseItems.get(i), "ResponsePayload");
            if (answer.isEmpty()) {
                continue;
            }
            List<String> uids = TtlvXml.childElements(answer.get()).stream()
                    .filter(e -> UID_FIELDS.contains(e.getTagName())).map(e -> e.getAttribute("value")).toList();
            if (GENERATING.contains(operation)) {
                generated.addAll(uids);
            } else if (operation.equals("Register")) {
                Element payload = child(requestItems.get(i), "RequestPayload").orElseThrow();
                String type = child(payload, "ObjectType").map(e -> e.getAttribute("value")).orElse("");
                if (type.equals("PrivateKey") || type.equals("PublicKey")) {
                    Optional<Element> parameters = registeredParameters(payload);
                    uids.forEach(uid -> asymmetric.put(uid, parameters));
                }
            }
        }
    }

    /** The Cryptographic Parameters a Register sets: a 2.x item, or the value of a 1.x named attribute. */
    private static Optional<Element> registeredParameters(Element payload) {
        for (Element element : descendants(payload)) {
            if (element.getTagName().equals("CryptographicParameters")) {
                return Optional.of(element);
            }
            if (element.getTagName().equals("Attribute") && child(element, "AttributeName")
                    .map(n -> n.getAttribute("value").equals("Cryptographic Parameters")).orElse(false)) {
                return child(element, "AttributeValue");
            }
        }
        return Optional.empty();
    }

    private List<String> randomFields(String operation, String uid, Element payload, Element answer) {
        boolean generatedKey = generated.contains(uid);
        return switch (operation) {
            case "Encrypt" -> {
                boolean serverIv = child(payload, "IVCounterNonce").isEmpty() && child(answer, "IVCounterNonce").isPresent();
                yield generatedKey || asymmetric.containsKey(uid) || serverIv
                        ? List.of("Data", "IVCounterNonce", "AuthenticatedEncryptionTag") : List.of();
            }
            case "Sign" -> generatedKey || randomisedSignature(uid, payload) ? List.of("SignatureData") : List.of();
            case "MAC" -> generatedKey ? List.of("MACData") : List.of();
            case "Decrypt" -> generatedKey && child(payload, "Data").filter(data -> !data.getAttribute("value")
                    .startsWith("$")).isPresent() ? List.of("Data") : List.of();
            case "RNGRetrieve" -> List.of("Data");
            default -> List.of();
        };
    }

    /** RSA-PSS or ECDSA, by the request's parameters, else those the key was registered with. */
    private boolean randomisedSignature(String uid, Element payload) {
        Optional<Element> parameters = child(payload, "CryptographicParameters")
                .or(() -> asymmetric.getOrDefault(uid, Optional.empty()));
        String padding = parameters.flatMap(p -> child(p, "PaddingMethod")).map(e -> e.getAttribute("value")).orElse("");
        String algorithm = parameters.flatMap(p -> child(p, "CryptographicAlgorithm"))
                .map(e -> e.getAttribute("value")).orElse("");
        String signature = parameters.flatMap(p -> child(p, "DigitalSignatureAlgorithm"))
                .map(e -> e.getAttribute("value")).orElse("");
        return padding.equals("PSS") || algorithm.startsWith("EC") || signature.contains("PSS")
                || signature.contains("ECDSA");
    }

    private static String resolve(String value, Map<String, String> bound) {
        return value.startsWith("$") ? bound.getOrDefault(value, value) : value;
    }

    private static List<Element> items(Element message) {
        return TtlvXml.childElements(message).stream().filter(e -> e.getTagName().equals("BatchItem")).toList();
    }

    private static Optional<Element> child(Element parent, String name) {
        return TtlvXml.childElements(parent).stream().filter(e -> e.getTagName().equals(name)).findFirst();
    }

    private static List<Element> descendants(Element root) {
        List<Element> all = new java.util.ArrayList<>();
        for (Element child : TtlvXml.childElements(root)) {
            all.add(child);
            all.addAll(descendants(child));
        }
        return all;
    }
}
