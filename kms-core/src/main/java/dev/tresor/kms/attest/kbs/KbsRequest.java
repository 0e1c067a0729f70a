package dev.tresor.kms.attest.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Locale;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The KBS {@code Request} a guest opens a session with: protocol version (0.4.x), its TEE and,
 * in {@code extra-params}, the hash algorithms it can bind with (absent: whatever the server picks).
 */
public record KbsRequest(String version, String tee, Optional<List<String>> supportedHashAlgorithms) {
    /** TEEs whose primary evidence Tresor verifies. */
    public static final Set<String> TEES = Set.of("snp", "tdx", "az-snp-vtpm", "az-tdx-vtpm", "tpm");
    private static final Pattern VERSION = Pattern.compile("0\\.4\\.\\d{1,4}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PREFERENCE = List.of("sha384", "sha512", "sha256");

    public KbsRequest {
        Objects.requireNonNull(version);
        Objects.requireNonNull(tee);
        supportedHashAlgorithms = supportedHashAlgorithms.map(List::copyOf);
        if (!VERSION.matcher(version).matches()) {
            throw KmsError.invalid("KBS protocol version " + abbreviated(version) + " is not supported; expected 0.4.x");
        }
        if (!TEES.contains(tee)) {
            throw KmsError.invalid("tee " + abbreviated(tee) + " is not supported; expected one of " + TEES);
        }
    }

    /** SHA-384 unless the guest cannot, then SHA-512, then SHA-256; none of them is refused. */
    public String hashAlgorithm() {
        if (supportedHashAlgorithms.isEmpty() || supportedHashAlgorithms.get().isEmpty()) {
            return PREFERENCE.get(0);
        }
        List<String> offered = supportedHashAlgorithms.get();
        return PREFERENCE.stream().filter(offered::contains).findFirst().orElseThrow(() -> KmsError.invalid(
                "supported-hash-algorithms names none of " + PREFERENCE));
    }

    /** Parses the message body; INVALID_ARGUMENT naming the first problem. */
    public static KbsRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw KmsError.invalid("KBS Request is not JSON");
        }
        if (root == null || !root.isObject() || !root.path("version").isTextual() || !root.path("tee").isTextual()) {
            throw KmsError.invalid("KBS Request must be an object with string members version and tee");
        }
        JsonNode algorithms = root.path("extra-params").path("supported-hash-algorithms");
        Optional<List<String>> supported = Optional.empty();
        if (algorithms.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode name : algorithms) {
                if (names.size() < 16) {
                    names.add(name.asText().toLowerCase(Locale.ROOT));
                }
            }
            supported = Optional.of(names);
        }
        return new KbsRequest(root.path("version").asText(), root.path("tee").asText(), supported);
    }

    static String abbreviated(String text) {
        return text.length() <= 32 ? text : text.substring(0, 29) + "...";
    }
}
