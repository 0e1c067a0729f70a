package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON Web Keys (RFC 7517) for public RSA and EC keys, and their RFC 7638 thumbprints. */
public final class Jwk {
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Jwk() {
    }

    /** The public key a JWK describes; anything else is {@link Reason#MALFORMED}. */
    public static PublicKey toPublicKey(JsonNode jwk) {
        try {
            switch (jwk.path("kty").asText()) {
                case "RSA" -> {
                    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                            unsigned(jwk, "n"), unsigned(jwk, "e")));
                }
                case "EC" -> {
                    String curve = curveName(jwk.path("crv").asText());
                    return SignatureCheck.ecPublicKey(curve, bytes(jwk, "x"), bytes(jwk, "y"));
                }
                default -> throw Reason.MALFORMED.error("JWK kty " + jwk.path("kty").asText() + " is not RSA or EC");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw Reason.MALFORMED.error("JWK does not describe a public key");
        }
    }

    /** The public members in lexicographic order (the RFC 7638 thumbprint input order). */
    public static Map<String, String> members(PublicKey key) {
        Map<String, String> members = new LinkedHashMap<>();
        if (key instanceof ECPublicKey ec) {
            int size = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            members.put("crv", "P-" + ec.getParams().getCurve().getField().getFieldSize());
            members.put("kty", "EC");
            members.put("x", ENCODER.encodeToString(fixed(ec.getW().getAffineX(), size)));
            members.put("y", ENCODER.encodeToString(fixed(ec.getW().getAffineY(), size)));
        } else if (key instanceof RSAPublicKey rsa) {
            members.put("e", ENCODER.encodeToString(unsignedBytes(rsa.getPublicExponent())));
            members.put("kty", "RSA");
            members.put("n", ENCODER.encodeToString(unsignedBytes(rsa.getModulus())));
        } else {
            throw new IllegalArgumentException("only RSA and EC keys have a JWK here");
        }
        return members;
    }

    /** RFC 7638 SHA-256 thumbprint, base64url. */
    public static String thumbprint(PublicKey key) {
        StringBuilder json = new StringBuilder("{");
        members(key).forEach((name, value) -> json.append(json.length() > 1 ? "," : "")
                .append('"').append(name).append("\":\"").append(value).append('"'));
        json.append('}');
        return ENCODER.encodeToString(Certificates.digest("SHA-256")
                .digest(json.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static String curveName(String crv) {
        return switch (crv) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> throw Reason.MALFORMED.error("JWK curve " + crv + " is not P-256, P-384 or P-521");
        };
    }

    private static BigInteger unsigned(JsonNode jwk, String member) {
        return new BigInteger(1, bytes(jwk, member));
    }

    private static byte[] bytes(JsonNode jwk, String member) {
        JsonNode value = jwk.get(member);
        if (value == null || !value.isTextual()) {
            throw Reason.MALFORMED.error("JWK lacks " + member);
        }
        return DECODER.decode(value.asText());
    }

    static byte[] fixed(BigInteger value, int size) {
        byte[] raw = unsignedBytes(value);
        byte[] out = new byte[size];
        System.arraycopy(raw, 0, out, size - raw.length, raw.length);
        return out;
    }

    private static byte[] unsignedBytes(BigInteger value) {
        byte[] raw = value.toByteArray();
        return raw[0] == 0 && raw.length > 1 ? Arrays.copyOfRange(raw, 1, raw.length) : raw;
    }
}
