package dev.tresor.kms.rest.kbs;

import dev.tresor.kms.attest.Jwk;
import dev.tresor.kms.rest.Http;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * A KBS client written from the protocol's messages (no kbs-client ships in Debian or Maven
 * Central): it keeps the {@code kbs-session-id} cookie, builds runtime-data with its own
 * ephemeral key (EC P-256 like CoCo's guest components, or RSA), binds SHA-384 of its RFC 8785
 * form into the evidence its attester makes, and opens the flattened JWE answer.
 */
final class KbsClient {
    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64U_DECODER = Base64.getUrlDecoder();

    private final HttpClient http;
    private final String baseUrl;
    private final KeyPair teeKey;
    private Optional<String> cookie = Optional.empty();
    private String nonce;

    KbsClient(HttpClient http, String baseUrl, KeyPair teeKey) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.teeKey = teeKey;
    }

    static KeyPair ecP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<String> cookie() {
        return cookie;
    }

    void useCookie(Optional<String> session) {
        cookie = session;
    }

    String nonce() {
        return nonce;
    }

    /** {@code POST auth}: keeps the cookie and the nonce; answers the whole reply. */
    Http.Reply auth(String tee) {
        return auth(new JsonObject().put("version", "0.4.0").put("tee", tee).put("extra-params", ""));
    }

    Http.Reply auth(JsonObject request) {
        Http.Reply reply = send("POST", "/auth", request.encode(), Optional.empty());
        if (reply.status() == 200) {
            cookie = reply.headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith(KbsRoutes.COOKIE + "="))
                    .map(c -> c.substring(KbsRoutes.COOKIE.length() + 1, c.indexOf(';')))
                    .findFirst();
            nonce = reply.json().getString("nonce");
        }
        return reply;
    }

    /** The tee-pubkey JWK as CoCo sends it (with {@code alg}). */
    JsonObject teePubkey() {
        JsonObject jwk = new JsonObject().put("alg", teeKey.getPublic() instanceof ECPublicKey ? "ECDH-ES+A256KW"
                : "RSA-OAEP-256");
        Jwk.members(teeKey.getPublic()).forEach(jwk::put);
        return jwk;
    }

    /**
     * The 64 bytes the evidence carries: SHA-384 of the RFC 8785 form of {@code {"additional-evidence",
     * "nonce", "tee-pubkey"}}, zero-padded. Members are already in code-unit order here, and no value
     * needs escaping, so the canonical form is the compact encoding.
     */
    byte[] reportData(String boundNonce) {
        JsonObject jwk = teePubkey();
        JsonObject sorted = new JsonObject();
        jwk.fieldNames().stream().sorted().forEach(name -> sorted.put(name, jwk.getValue(name)));
        String canonical = "{\"additional-evidence\":\"\",\"nonce\":\"" + boundNonce + "\",\"tee-pubkey\":"
                + sorted.encode() + "}";
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-384").digest(canonical.getBytes(StandardCharsets.UTF_8)), 64);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Attestation message for this session: runtime-data and the primary evidence. */
    JsonObject attestation(String boundNonce, JsonObject primaryEvidence) {
        return new JsonObject()
                .put("runtime-data", new JsonObject().put("nonce", boundNonce).put("tee-pubkey", teePubkey()))
                .put("tee-evidence", new JsonObject().put("primary_evidence", primaryEvidence)
                        .put("additional_evidence", ""));
    }

    /** Auth, evidence from {@code attester} over this session's binding, attest. */
    Http.Reply attest(String tee, Function<byte[], JsonObject> attester) {
        auth(tee);
        return attest(attestation(nonce, attester.apply(reportData(nonce))));
    }

    Http.Reply attest(JsonObject attestation) {
        return send("POST", "/attest", attestation.encode(), Optional.empty());
    }

    Http.Reply resource(String path) {
        return send("GET", "/resource/" + path, null, Optional.empty());
    }

    Http.Reply resourceWithToken(String path, String token) {
        return send("GET", "/resource/" + path, null, Optional.of(token));
    }

    /** The payload of a flattened JWE answer, opened with the tee key (ECDH-ES+A256KW or RSA-OAEP-256, A256GCM). */
    byte[] open(JsonObject jwe) throws GeneralSecurityException {
        JsonObject header = new JsonObject(new String(B64U_DECODER.decode(jwe.getString("protected")), StandardCharsets.UTF_8));
        byte[] cek;
        if (header.getString("alg").equals("ECDH-ES+A256KW")) {
            JsonObject epk = header.getJsonObject("epk");
            ECPrivateKey mine = (ECPrivateKey) teeKey.getPrivate();
            PublicKey ephemeral = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                    new BigInteger(1, B64U_DECODER.decode(epk.getString("x"))),
                    new BigInteger(1, B64U_DECODER.decode(epk.getString("y")))), mine.getParams()));
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(mine);
            agreement.doPhase(ephemeral, true);
            byte[] algorithm = "ECDH-ES+A256KW".getBytes(StandardCharsets.US_ASCII);
            MessageDigest kdf = MessageDigest.getInstance("SHA-256");
            kdf.update(new byte[] {0, 0, 0, 1});
            kdf.update(agreement.generateSecret());
            kdf.update(ByteBuffer.allocate(4 + algorithm.length + 12).putInt(algorithm.length).put(algorithm)
                    .putInt(0).putInt(0).putInt(256).array());
            Cipher unwrap = Cipher.getInstance("AESWrap");
            unwrap.init(Cipher.UNWRAP_MODE, new SecretKeySpec(kdf.digest(), "AES"));
            cek = unwrap.unwrap(B64U_DECODER.decode(jwe.getString("encrypted_key")), "AES", Cipher.SECRET_KEY).getEncoded();
        } else {
            Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
            oaep.init(Cipher.DECRYPT_MODE, teeKey.getPrivate(), new OAEPParameterSpec("SHA-256", "MGF1",
                    MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
            cek = oaep.doFinal(B64U_DECODER.decode(jwe.getString("encrypted_key")));
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"),
                new GCMParameterSpec(128, B64U_DECODER.decode(jwe.getString("iv"))));
        // the AAD as guest components compute it: the header re-serialised (alg, enc, the rest sorted)
        gcm.updateAAD(B64U.encodeToString(reserialised(header)).getBytes(StandardCharsets.US_ASCII));
        byte[] ciphertext = B64U_DECODER.decode(jwe.getString("ciphertext"));
        byte[] tag = B64U_DECODER.decode(jwe.getString("tag"));
        byte[] sealed = Arrays.copyOf(ciphertext, ciphertext.length + tag.length);
        System.arraycopy(tag, 0, sealed, ciphertext.length, tag.length);
        return gcm.doFinal(sealed);
    }

    private static byte[] reserialised(JsonObject header) {
        JsonObject ordered = new JsonObject().put("alg", header.getValue("alg")).put("enc", header.getValue("enc"));
        header.fieldNames().stream().filter(n -> !n.equals("alg") && !n.equals("enc")).sorted()
                .forEach(n -> ordered.put(n, sortedValue(header.getValue(n))));
        return ordered.encode().getBytes(StandardCharsets.UTF_8);
    }

    private static Object sortedValue(Object value) {
        if (value instanceof JsonObject object) {
            JsonObject sorted = new JsonObject();
            object.fieldNames().stream().sorted().forEach(n -> sorted.put(n, object.getValue(n)));
            return sorted;
        }
        return value;
    }

    private Http.Reply send(String method, String path, String body, Optional<String> bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        cookie.ifPresent(session -> request.header("Cookie", KbsRoutes.COOKIE + "=" + session));
        bearer.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
