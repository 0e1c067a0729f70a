package dev.tresor.kms.attest.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.Jwk;
import dev.tresor.kms.attest.Reason;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The KBS {@code Attestation} message, kept as the JSON the guest sent so the binding hashes
 * exactly that: {@code runtime-data.nonce}, {@code runtime-data.tee-pubkey} (a JWK), the primary
 * evidence of the session's TEE, {@code additional_evidence} (must be empty: Tresor has no device
 * verifiers) and the optional init-data. Every check of its shape happens in the constructor,
 * before a nonce is consumed.
 */
public record KbsAttestation(String nonce, JsonNode teePubkey, JsonNode primaryEvidence, String additionalEvidence,
                             Optional<InitData> initData) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ALGORITHM = Pattern.compile("(?m)^\\s*algorithm\\s*=\\s*\"(sha256|sha384|sha512)\"");

    /** {@code init-data}: its format (only {@code toml}) and body; its digest must be in HOST_DATA / MRCONFIGID. */
    public record InitData(String format, String body) {
        public InitData {
            Objects.requireNonNull(format);
            Objects.requireNonNull(body);
            if (!format.equals("toml")) {
                throw KmsError.invalid("init-data format " + KbsRequest.abbreviated(format) + " is not toml");
            }
        }

        /** Its digest under the algorithm the TOML names ({@code algorithm = "sha384"}; SHA-384 if none). */
        byte[] digest() {
            Matcher named = ALGORITHM.matcher(body);
            String algorithm = named.find() ? "SHA-" + named.group(1).substring(3) : "SHA-384";
            try {
                return MessageDigest.getInstance(algorithm).digest(body.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public KbsAttestation {
        Objects.requireNonNull(nonce);
        Objects.requireNonNull(teePubkey);
        Objects.requireNonNull(primaryEvidence);
        Objects.requireNonNull(additionalEvidence);
        Objects.requireNonNull(initData);
        if (!additionalEvidence.isEmpty()) {
            throw KmsError.invalid("additional_evidence is not supported: Tresor verifies no device evidence");
        }
        if (!teePubkey.isObject()) {
            throw KmsError.invalid("runtime-data.tee-pubkey must be a JWK object");
        }
        String kty = teePubkey.path("kty").asText();
        String alg = teePubkey.path("alg").asText("");
        if (kty.equals("RSA") && !alg.isEmpty() && !alg.equals("RSA-OAEP-256")) {
            throw KmsError.invalid("tee-pubkey alg " + KbsRequest.abbreviated(alg) + " is refused; use RSA-OAEP-256");
        }
        if (kty.equals("EC") && !alg.isEmpty() && !alg.equals("ECDH-ES+A256KW")) {
            throw KmsError.invalid("tee-pubkey alg " + KbsRequest.abbreviated(alg) + " is refused; use ECDH-ES+A256KW");
        }
        key(teePubkey);
        if (!primaryEvidence.isObject()) {
            throw KmsError.invalid("tee-evidence.primary_evidence must be a JSON object");
        }
    }

    /** The guest's key; INVALID_ARGUMENT unless the JWK is an RSA or EC P-256/384/521 key. */
    public PublicKey teeKey() {
        return key(teePubkey);
    }

    /** Answers can only be encrypted to RSA keys of 2048 bits or more (Trustee's own vector has 1024). */
    public void requireEncryptableKey() {
        if (teeKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
            throw KmsError.invalid("tee-pubkey RSA key must have at least 2048 bits");
        }
    }

    private static PublicKey key(JsonNode jwk) {
        try {
            return Jwk.toPublicKey(jwk);
        } catch (KmsError e) {
            if (Reason.of(e).isPresent()) {
                throw KmsError.invalid("runtime-data.tee-pubkey is not a usable JWK: " + e.getMessage());
            }
            throw e;
        }
    }

    /** The nonce's bytes; INVALID_ARGUMENT unless standard base64. */
    public byte[] nonceBytes() {
        try {
            return Base64.getDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            throw KmsError.invalid("runtime-data.nonce is not base64");
        }
    }

    /**
     * What the evidence binds (Trustee's primary runtime data): {@code {"additional-evidence",
     * "nonce", "tee-pubkey"}} with the nonce as the session issued it.
     */
    public JsonNode runtimeData(String sessionNonce) {
        ObjectNode data = JSON.createObjectNode();
        data.put("additional-evidence", additionalEvidence);
        data.put("nonce", sessionNonce);
        data.set("tee-pubkey", teePubkey);
        return data;
    }

    /**
     * The primary evidence as a verifier reads it: SNP, the Azure vTPM composites and TPM take the
     * JSON itself; TDX's {@code {"quote", "cc_eventlog"}} becomes the quote's bytes and its event log.
     */
    public Evidence evidence(String tee) {
        byte[] json = primaryEvidence.toString().getBytes(StandardCharsets.UTF_8);
        return switch (tee) {
            case "snp", "az-snp-vtpm", "az-tdx-vtpm", "tpm" -> new Evidence(tee, Bytes.wrap(json), Optional.empty());
            case "tdx" -> new Evidence("tdx", base64(primaryEvidence, "quote").orElseThrow(() ->
                    KmsError.invalid("tdx primary_evidence lacks quote")), base64(primaryEvidence, "cc_eventlog"));
            default -> throw KmsError.invalid("tee " + KbsRequest.abbreviated(tee) + " is not supported");
        };
    }

    /** Evidence for one verifier call: its type, bytes and the event log to replay, if any. */
    public record Evidence(String type, Bytes bytes, Optional<Bytes> eventLog) {
        public Evidence {
            Objects.requireNonNull(type);
            Objects.requireNonNull(bytes);
            Objects.requireNonNull(eventLog);
        }
    }

    /**
     * With init-data: its digest, zero-padded, must equal SNP HOST_DATA (32 bytes) or TDX
     * MRCONFIGID (48 bytes) → {@code BINDING_MISMATCH}; evidence of another TEE cannot carry it.
     */
    public void requireInitData(AttestationResult result) {
        if (initData.isEmpty()) {
            return;
        }
        Map<String, Object> claims = result.claims();
        Object field = claims.containsKey("snp.host_data") ? claims.get("snp.host_data") : claims.get("tdx.mrconfigid");
        if (field == null) {
            throw Reason.BINDING_MISMATCH.error("init-data given, but the evidence has no HOST_DATA or MRCONFIGID");
        }
        byte[] actual = HexFormat.of().parseHex(field.toString());
        byte[] digest = initData.get().digest();
        if (digest.length > actual.length
                || !MessageDigest.isEqual(Arrays.copyOf(digest, actual.length), actual)) {
            throw Reason.BINDING_MISMATCH.error("init-data digest is not in HOST_DATA / MRCONFIGID");
        }
    }

    /** Parses the message body's JSON members; INVALID_ARGUMENT naming the first problem. */
    public static KbsAttestation parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw KmsError.invalid("KBS Attestation is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw KmsError.invalid("KBS Attestation must be a JSON object");
        }
        JsonNode runtime = root.path("runtime-data");
        JsonNode evidence = root.path("tee-evidence");
        String nonce = text(runtime, "nonce", "runtime-data.nonce");
        JsonNode additional = evidence.path("additional_evidence");
        if (!additional.isMissingNode() && !additional.isNull() && !additional.isTextual()) {
            throw KmsError.invalid("tee-evidence.additional_evidence must be a string");
        }
        Optional<InitData> initData = Optional.empty();
        JsonNode init = root.path("init-data");
        if (!init.isMissingNode() && !init.isNull()) {
            initData = Optional.of(new InitData(text(init, "format", "init-data.format"),
                    text(init, "body", "init-data.body")));
        }
        return new KbsAttestation(nonce, runtime.path("tee-pubkey"), evidence.path("primary_evidence"),
                additional.asText(""), initData);
    }

    private static String text(JsonNode node, String member, String name) {
        JsonNode value = node.path(member);
        if (!value.isTextual()) {
            throw KmsError.invalid(name + " is required, a string");
        }
        return value.asText();
    }

    private static Optional<Bytes> base64(JsonNode node, String member) {
        JsonNode value = node.path(member);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw KmsError.invalid("primary_evidence." + member + " must be a base64 string");
        }
        try {
            return Optional.of(Bytes.wrap(Base64.getMimeDecoder().decode(value.asText())));
        } catch (IllegalArgumentException e) {
            throw KmsError.invalid("primary_evidence." + member + " is not base64");
        }
    }
}
