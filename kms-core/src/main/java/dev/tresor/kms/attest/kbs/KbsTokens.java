package dev.tresor.kms.attest.kbs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The attestation tokens Tresor's KBS hands out after a successful attest: ES256 JWTs with
 * {@code iss, iat, exp} (the session's end), {@code jti} (the session), {@code tee-pubkey} and
 * {@code tresor} (the TEE and decisive claims). The signing key lives in memory only, like the
 * sessions the tokens name, so a restart invalidates both. Only these tokens are accepted back.
 */
public final class KbsTokens {
    public static final String ISSUER = "tresor-kbs";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}"
            .getBytes(StandardCharsets.US_ASCII));
    private static final String ALGORITHM = "SHA256withECDSAinP1363Format";
    /** Longer bearer tokens are refused before any parsing. */
    private static final int MAX_TOKEN_CHARS = 16 * 1024;

    private final KeyPair key;

    public KbsTokens(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            this.key = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generation", e);
        }
    }

    public String issue(String sessionId, Instant issuedAt, Instant expiresAt, JsonNode teePubkey,
                        Map<String, Object> tresorClaims) {
        ObjectNode payload = JSON.createObjectNode()
                .put("iss", ISSUER)
                .put("iat", issuedAt.getEpochSecond())
                .put("exp", expiresAt.getEpochSecond())
                .put("jti", sessionId);
        payload.set("tee-pubkey", teePubkey);
        payload.set("tresor", JSON.valueToTree(tresorClaims));
        try {
            String signingInput = HEADER + "." + B64.encodeToString(JSON.writeValueAsBytes(payload));
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key.getPrivate());
            signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(signer.sign());
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new IllegalStateException("cannot sign a KBS token", e);
        }
    }

    /** The session a token names, if this KBS signed it and it has not expired at {@code now}. */
    public Optional<String> sessionOf(String token, Instant now) {
        String[] parts = token.length() > MAX_TOKEN_CHARS ? new String[0] : token.split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals(HEADER)) {
            return Optional.empty();
        }
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key.getPublic());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return Optional.empty();
            }
            JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            if (now.getEpochSecond() >= payload.path("exp").asLong(0)) {
                return Optional.empty();
            }
            return Optional.of(payload.path("jti").asText());
        } catch (GeneralSecurityException | IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }
}
