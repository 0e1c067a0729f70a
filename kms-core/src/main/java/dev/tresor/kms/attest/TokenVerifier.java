package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Verifies signed attestation tokens (JWS compact JWTs, EAR among them) from configured issuers:
 * three segments, an allowed algorithm, a pinned key (keys the token carries are never trusted;
 * they only tell an unpinned signer from a broken signature), exp/nbf/iat within 60 s of the
 * clock, EAR's mandatory claims, and the binding through the issuer's binding claim.
 */
public final class TokenVerifier implements EvidenceVerifier {
    static final long SKEW_SECONDS = 60;
    private static final int MAX_DEPTH = 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> EAR_PROFILES = Set.of("tag:github.com,2023:veraison/ear",
            "tag:github.com,2024:confidential-containers/Trustee");
    private static final List<String> EAR_STATUS_BEST_FIRST = List.of("affirming", "none", "warning", "contraindicated");

    private final AttestationTrust trust;
    private final Clock clock;

    public TokenVerifier(AttestationTrust trust, Clock clock) {
        this.trust = Objects.requireNonNull(trust);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public AttestationResult verify(byte[] evidence, VerificationInputs inputs) {
        String token = new String(evidence, StandardCharsets.US_ASCII).strip();
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw Reason.TOKEN_MALFORMED.error("token has " + parts.length + " segments, not header.payload.signature");
        }
        JsonNode header = segment(parts[0], "header");
        JsonNode payload = segment(parts[1], "payload");
        if (header.has("crit")) {
            throw Reason.TOKEN_MALFORMED.error("token header names critical extensions this verifier does not know");
        }
        String algorithm = header.path("alg").asText();
        if (!TokenIssuer.SUPPORTED_ALGORITHMS.contains(algorithm)) {
            throw Reason.TOKEN_ALG_REFUSED.error("alg " + algorithm + " is not accepted");
        }
        List<TokenIssuer> issuers = trust.tokenIssuers().stream()
                .filter(i -> i.issuer().map(iss -> iss.equals(payload.path("iss").asText())).orElse(true))
                .toList();
        if (issuers.isEmpty()) {
            throw Reason.TOKEN_KEY_UNTRUSTED.error("no configured issuer for iss " + payload.path("iss").asText("(none)"));
        }
        List<TokenIssuer> allowed = issuers.stream().filter(i -> i.algorithms().contains(algorithm)).toList();
        if (allowed.isEmpty()) {
            throw Reason.TOKEN_ALG_REFUSED.error("alg " + algorithm + " is not allowed for this issuer");
        }
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature = decode(parts[2], "signature");
        TokenIssuer issuer = allowed.stream()
                .filter(i -> i.keys().stream().anyMatch(k -> verifies(algorithm, k, signed, signature)))
                .findFirst()
                .orElseThrow(() -> unverified(algorithm, header, payload, signed, signature));
        Instant now = clock.instant();
        requireTimely(payload, now);
        if (issuer.ear()) {
            requireEarClaims(payload);
        }
        boolean bound = requireBinding(issuer, payload, inputs);
        Claims claims = new Claims().put("tee", "token").put("simulated", false).put("verified_at", now.toString())
                .put("bound", bound).put("authority", issuer.id());
        flatten(payload, "token.", claims, 0);
        if (issuer.ear() || EAR_PROFILES.contains(payload.path("eat_profile").asText())
                && payload.path("submods").isObject()) {
            earSummary(payload, claims);
        }
        return new AttestationResult("token", claims.asMap());
    }

    private static JsonNode segment(String part, String name) {
        try {
            JsonNode node = JSON.readTree(decode(part, name));
            if (node == null || !node.isObject()) {
                throw Reason.TOKEN_MALFORMED.error("token " + name + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw Reason.TOKEN_MALFORMED.error("token " + name + " is not JSON");
        }
    }

    private static byte[] decode(String part, String name) {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw Reason.TOKEN_MALFORMED.error("token " + name + " is not base64url");
        }
    }

    static boolean verifies(String algorithm, PublicKey key, byte[] signed, byte[] signature) {
        return switch (algorithm) {
            case "ES256" -> key instanceof ECPublicKey
                    && SignatureCheck.verifies("SHA256withECDSAinP1363Format", key, signed, signature);
            case "ES384" -> key instanceof ECPublicKey
                    && SignatureCheck.verifies("SHA384withECDSAinP1363Format", key, signed, signature);
            case "PS256" -> key instanceof RSAPublicKey && SignatureCheck.verifiesPss(key, signed, signature,
                    new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            case "RS256" -> key instanceof RSAPublicKey && SignatureCheck.verifies("SHA256withRSA", key, signed, signature);
            case "RS384" -> key instanceof RSAPublicKey && SignatureCheck.verifies("SHA384withRSA", key, signed, signature);
            default -> false;
        };
    }

    /** Tells a token signed by an unpinned key (one it carries) from a broken signature. */
    private static RuntimeException unverified(String algorithm, JsonNode header, JsonNode payload, byte[] signed,
                                               byte[] signature) {
        for (JsonNode carried : List.of(header.path("jwk"), payload.path("jwk"))) {
            if (carried.isObject()) {
                try {
                    if (verifies(algorithm, Jwk.toPublicKey(carried), signed, signature)) {
                        return Reason.TOKEN_KEY_UNTRUSTED.error("token is signed by a key that is not pinned");
                    }
                } catch (RuntimeException ignored) {
                    // an unusable carried key says nothing about the pinned ones
                }
            }
        }
        return Reason.SIGNATURE_INVALID.error("token signature does not verify under a pinned key");
    }

    private static void requireTimely(JsonNode payload, Instant now) {
        long seconds = now.getEpochSecond();
        if (payload.path("exp").isNumber() && seconds > payload.path("exp").asLong() + SKEW_SECONDS) {
            throw Reason.TOKEN_EXPIRED.error("token expired at " + Instant.ofEpochSecond(payload.path("exp").asLong()));
        }
        if (payload.path("nbf").isNumber() && seconds < payload.path("nbf").asLong() - SKEW_SECONDS) {
            throw Reason.TOKEN_EXPIRED.error("token is not valid before "
                    + Instant.ofEpochSecond(payload.path("nbf").asLong()));
        }
        if (payload.path("iat").isNumber() && seconds < payload.path("iat").asLong() - SKEW_SECONDS) {
            throw Reason.TOKEN_EXPIRED.error("token is issued in the future");
        }
    }

    private static void requireEarClaims(JsonNode payload) {
        if (!EAR_PROFILES.contains(payload.path("eat_profile").asText())) {
            throw Reason.TOKEN_CLAIMS_INVALID.error("eat_profile is not an accepted EAR profile");
        }
        if (!payload.path("iat").isNumber()) {
            throw Reason.TOKEN_CLAIMS_INVALID.error("iat");
        }
        if (!payload.path("ear.verifier-id").isObject()) {
            throw Reason.TOKEN_CLAIMS_INVALID.error("ear.verifier-id");
        }
        JsonNode submods = payload.path("submods");
        if (!submods.isObject() || submods.isEmpty()) {
            throw Reason.TOKEN_CLAIMS_INVALID.error("submods");
        }
        for (JsonNode submod : submods) {
            if (!EAR_STATUS_BEST_FIRST.contains(submod.path("ear.status").asText())) {
                throw Reason.TOKEN_CLAIMS_INVALID.error("ear.status");
            }
        }
    }

    private static boolean requireBinding(TokenIssuer issuer, JsonNode payload, VerificationInputs inputs) {
        if (inputs.expectedReportData().isEmpty()) {
            return false;
        }
        String pointer = issuer.bindingClaim()
                .orElseThrow(() -> Reason.BINDING_MISMATCH.error("issuer " + issuer.id() + " has no binding claim"));
        JsonNode value = payload.at(pointer);
        if (!value.isTextual()) {
            throw Reason.BINDING_MISMATCH.error("token has no " + pointer.substring(1));
        }
        String text = value.asText();
        byte[] carried;
        try {
            carried = text.length() % 2 == 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                    ? HexFormat.of().parseHex(text)
                    : Base64.getUrlDecoder().decode(text.replace('+', '-').replace('/', '_').replace("=", ""));
        } catch (IllegalArgumentException e) {
            throw Reason.BINDING_MISMATCH.error(pointer.substring(1) + " is neither hex nor base64");
        }
        return inputs.requireBinding(carried, pointer.substring(1));
    }

    /** Every scalar as {@code token.<JSON Pointer without the leading slash>}. */
    private static void flatten(JsonNode node, String name, Claims claims, int depth) {
        if (depth > MAX_DEPTH) {
            throw Reason.TOKEN_MALFORMED.error("token claims nest deeper than " + MAX_DEPTH);
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                String key = member.getKey().replace("~", "~0").replace("/", "~1");
                flatten(member.getValue(), name.endsWith(".") ? name + key : name + "/" + key, claims, depth + 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(node.get(i), name + "/" + i, claims, depth + 1);
            }
        } else if (node.isBoolean()) {
            claims.put(name, node.asBoolean());
        } else if (node.isNumber()) {
            claims.put(name, node.asLong());
        } else if (!node.isNull()) {
            claims.put(name, node.asText());
        }
    }

    /** ear.status and ear.tv.* as the worst over all submodules. */
    private static void earSummary(JsonNode payload, Claims claims) {
        int worst = 0;
        Map<String, Long> vector = new TreeMap<>();
        for (JsonNode submod : payload.path("submods")) {
            worst = Math.max(worst, EAR_STATUS_BEST_FIRST.indexOf(submod.path("ear.status").asText()));
            for (Map.Entry<String, JsonNode> claim : submod.path("ear.trustworthiness-vector").properties()) {
                vector.merge(claim.getKey(), claim.getValue().asLong(), Math::max);
            }
        }
        claims.put("ear.status", EAR_STATUS_BEST_FIRST.get(worst));
        vector.forEach((name, value) -> claims.put("ear.tv." + name, value));
    }
}
