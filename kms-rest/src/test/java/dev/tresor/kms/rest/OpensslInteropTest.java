package dev.tresor.kms.rest;

import static dev.tresor.kms.rest.ProjectApi.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users do with openssl, as docs/operations.md and docs/rest-api.md tell them: encrypt
 * locally to a version's public key, and wrap BYOK material (RSA-OAEP ‖ AES-KWP of a PKCS#8 key)
 * for import; the server accepts both, and openssl verifies what the imported key signs.
 */
class OpensslInteropTest {
    private static final List<String> OAEP_SHA256 = List.of("-pkeyopt", "rsa_padding_mode:oaep",
            "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256");

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @TempDir
    Path dir;

    private void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> String.join(" ", command) + "\n" + output);
    }

    private void oaepEncrypt(String publicKeyFile, String in, String out) throws IOException, InterruptedException {
        List<String> arguments = new java.util.ArrayList<>(List.of("pkeyutl", "-encrypt", "-pubin", "-inkey",
                publicKeyFile, "-in", in, "-out", out));
        arguments.addAll(OAEP_SHA256);
        openssl(arguments.toArray(String[]::new));
    }

    @Test
    void opensslOaepCiphertextsDecryptOnTheServer() throws Exception {
        ProjectApi api = server.newProjectApi();
        String ring = api.createRing("openssl");
        String key = api.createKey(ring, "rsa_3072_oaep_sha256", "asymmetric_encrypt_decrypt").getString("id");
        Files.writeString(dir.resolve("public.pem"), expect(200, api.get(api.version(ring, key, 1))).getString("publicKey"));
        byte[] secret = "encrypted by openssl".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("plain.bin"), secret);
        oaepEncrypt("public.pem", "plain.bin", "cipher.bin");
        assertArrayEquals(secret, api.decrypt(ring, key, 1,
                Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("cipher.bin")))));
    }

    @Test
    void aPrivateKeyWrappedWithOpensslImportsAndSigns() throws Exception {
        ProjectApi api = server.newProjectApi();
        String ring = api.createRing("byok-openssl");
        String key = expect(202, api.post(api.ring(ring) + "/keys", new JsonObject().put("displayName", "imported")
                .put("algorithm", "ecdsa_p256_sha256").put("purpose", "asymmetric_sign_verify")
                .put("protection", "software").put("importOnly", true))).getString("id");
        JsonObject wrapping = expect(202, api.post(api.ring(ring) + "/wrappingkeys", new JsonObject()
                .put("displayName", "wrap").put("algorithm", "rsa_3072_oaep_sha256_aes_256_key_wrap")
                .put("purpose", "wrap_asymmetric_key").put("protection", "software")));
        Files.writeString(dir.resolve("wrapping.pem"), wrapping.getString("publicKey"));

        // genpkey's DER output is SEC1/PKCS#1, not PKCS#8 (OpenSSL 3.0): convert with pkcs8 -topk8.
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "own.pem");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "own.pem", "-outform", "DER", "-out", "material.bin");
        openssl("rand", "-out", "ephemeral.bin", "32");
        oaepEncrypt("wrapping.pem", "ephemeral.bin", "part1.bin");
        openssl("enc", "-id-aes256-wrap-pad", "-K", HexFormat.of().formatHex(Files.readAllBytes(dir.resolve("ephemeral.bin"))),
                "-iv", "A65959A6", "-in", "material.bin", "-out", "part2.bin");
        byte[] part1 = Files.readAllBytes(dir.resolve("part1.bin"));
        byte[] part2 = Files.readAllBytes(dir.resolve("part2.bin"));
        assertEquals(384, part1.length);
        byte[] wrapped = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, wrapped, 0, part1.length);
        System.arraycopy(part2, 0, wrapped, part1.length, part2.length);

        JsonObject version = expect(202, api.post(api.key(ring, key) + "/import", new JsonObject()
                .put("wrappingKeyId", wrapping.getString("id")).put("wrappedKey", Base64.getEncoder().encodeToString(wrapped))));
        assertEquals(1L, version.getLong("number"));

        byte[] message = "signed by an imported key".getBytes(StandardCharsets.UTF_8);
        JsonObject signed = expect(200, api.post(api.version(ring, key, 1) + "/sign",
                new JsonObject().put("data", Base64.getEncoder().encodeToString(message))));
        Files.write(dir.resolve("message.bin"), message);
        Files.write(dir.resolve("signature.der"), Base64.getDecoder().decode(signed.getString("signature")));
        openssl("pkey", "-inform", "DER", "-in", "material.bin", "-pubout", "-out", "own-public.pem");
        openssl("dgst", "-sha256", "-verify", "own-public.pem", "-signature", "signature.der", "message.bin");
    }
}
