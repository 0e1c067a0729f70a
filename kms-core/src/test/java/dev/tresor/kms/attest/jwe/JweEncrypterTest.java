package dev.tresor.kms.attest.jwe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.KmsError;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.agreement.kdf.ConcatenationKDFGenerator;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.encodings.OAEPEncoding;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.AESWrapEngine;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.KDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.junit.jupiter.api.Test;

/** Decrypts with BouncyCastle's lightweight API, step by step, independently of the encrypter. */
class JweEncrypterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PAYLOAD = "{\"kty\":\"oct\",\"k\":\"c2VjcmV0LWtleS1tYXRlcmlhbA\"}"
            .getBytes(StandardCharsets.UTF_8);
    private final JweEncrypter encrypter = new JweEncrypter(new SecureRandom());

    private static KeyPair generate(String algorithm, Object parameter) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (parameter instanceof Integer bits) {
            generator.initialize(bits);
        } else {
            generator.initialize(new ECGenParameterSpec((String) parameter));
        }
        return generator.generateKeyPair();
    }

    private static byte[] b64(String part) {
        return Base64.getUrlDecoder().decode(part);
    }

    private static byte[] decryptContent(String compact, byte[] cek) throws Exception {
        String[] parts = compact.split("\\.", -1);
        GCMBlockCipher gcm = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(false, new AEADParameters(new KeyParameter(cek), 128, b64(parts[2]),
                parts[0].getBytes(StandardCharsets.US_ASCII)));
        byte[] ciphertext = b64(parts[3]);
        byte[] tag = b64(parts[4]);
        byte[] input = new byte[ciphertext.length + tag.length];
        System.arraycopy(ciphertext, 0, input, 0, ciphertext.length);
        System.arraycopy(tag, 0, input, ciphertext.length, tag.length);
        byte[] out = new byte[gcm.getOutputSize(input.length)];
        int length = gcm.processBytes(input, 0, input.length, out, 0);
        length += gcm.doFinal(out, length);
        return java.util.Arrays.copyOf(out, length);
    }

    private static JsonNode header(String compact) throws Exception {
        return JSON.readTree(b64(compact.split("\\.")[0]));
    }

    @Test
    void rsaOaep256JweDecryptsWithTheWorkloadKey() throws Exception {
        KeyPair workload = generate("RSA", 3072);
        String compact = encrypter.encrypt(workload.getPublic(), PAYLOAD,
                Map.of("cty", "jwk+json", "tresor_key", "projects/p/keys/k/versions/1")).compact();
        JsonNode header = header(compact);
        assertEquals("RSA-OAEP-256", header.path("alg").asText());
        assertEquals("A256GCM", header.path("enc").asText());

        OAEPEncoding oaep = new OAEPEncoding(new RSAEngine(), new SHA256Digest(), new SHA256Digest(), null);
        oaep.init(false, PrivateKeyFactory.createKey(workload.getPrivate().getEncoded()));
        byte[] wrapped = b64(compact.split("\\.")[1]);
        byte[] cek = oaep.processBlock(wrapped, 0, wrapped.length);
        assertEquals(32, cek.length);
        assertArrayEquals(PAYLOAD, decryptContent(compact, cek));
    }

    @Test
    void ecdhEsKeyWrapJweDecryptsOnEveryCurve() throws Exception {
        for (String curve : List.of("secp256r1", "secp384r1", "secp521r1")) {
            KeyPair workload = generate("EC", curve);
            String compact = encrypter.encrypt(workload.getPublic(), PAYLOAD, Map.of("cty", "jwk+json")).compact();
            JsonNode header = header(compact);
            assertEquals("ECDH-ES+A256KW", header.path("alg").asText(), curve);
            JsonNode epk = header.path("epk");
            ECPublicKey recipient = (ECPublicKey) workload.getPublic();
            var ephemeral = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                    new BigInteger(1, b64(epk.path("x").asText())), new BigInteger(1, b64(epk.path("y").asText()))),
                    recipient.getParams()));

            ECDHBasicAgreement agreement = new ECDHBasicAgreement();
            agreement.init((ECPrivateKeyParameters) PrivateKeyFactory.createKey(workload.getPrivate().getEncoded()));
            BigInteger shared = agreement.calculateAgreement(
                    (ECPublicKeyParameters) PublicKeyFactory.createKey(ephemeral.getEncoded()));
            byte[] z = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(agreement.getFieldSize(), shared);
            byte[] algorithm = "ECDH-ES+A256KW".getBytes(StandardCharsets.US_ASCII);
            byte[] otherInfo = java.nio.ByteBuffer.allocate(4 + algorithm.length + 12)
                    .putInt(algorithm.length).put(algorithm).putInt(0).putInt(0).putInt(256).array();
            ConcatenationKDFGenerator kdf = new ConcatenationKDFGenerator(new SHA256Digest());
            kdf.init(new KDFParameters(z, otherInfo));
            byte[] kek = new byte[32];
            kdf.generateBytes(kek, 0, 32);
            AESWrapEngine unwrap = new AESWrapEngine();
            unwrap.init(false, new KeyParameter(kek));
            byte[] wrapped = b64(compact.split("\\.")[1]);
            assertEquals(40, wrapped.length, curve);
            byte[] cek = unwrap.unwrap(wrapped, 0, wrapped.length);
            assertArrayEquals(PAYLOAD, decryptContent(compact, cek), curve);
        }
    }

    @Test
    void protectedHeaderPutsAlgAndEncFirstThenSortsTheRest() throws Exception {
        KeyPair workload = generate("EC", "secp256r1");
        Jwe jwe = encrypter.encrypt(workload.getPublic(), PAYLOAD, Map.of("tresor_key", "k/1", "cty", "jwk+json"));
        List<String> names = new ArrayList<>();
        header(jwe.compact()).fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("alg", "enc", "cty", "epk", "kid", "tresor_key"), names);
        List<String> epk = new ArrayList<>();
        header(jwe.compact()).path("epk").fieldNames().forEachRemaining(epk::add);
        assertEquals(List.of("crv", "kty", "x", "y"), epk);
        String json = new String(b64(jwe.protectedHeader()), StandardCharsets.UTF_8);
        assertTrue(!json.contains(" ") && !json.contains("\n"), json);
        assertEquals(List.of("protected", "encrypted_key", "iv", "ciphertext", "tag"),
                new ArrayList<>(jwe.flattened().keySet()));
    }

    @Test
    void kidIsTheRfc7638ThumbprintOfTheWorkloadKey() throws Exception {
        // RFC 7638 §3.1 example key and its published thumbprint
        var key = KeyFactory.getInstance("RSA").generatePublic(new java.security.spec.RSAPublicKeySpec(new BigInteger(1,
                b64("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")),
                new BigInteger(1, b64("AQAB"))));
        String compact = encrypter.encrypt(key, PAYLOAD, Map.of()).compact();
        assertEquals("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", header(compact).path("kid").asText());
    }

    @Test
    void weakOrReservedInputsAreRefused() throws Exception {
        KeyPair small = generate("RSA", 1024);
        assertThrows(KmsError.class, () -> encrypter.encrypt(small.getPublic(), PAYLOAD, Map.of()));
        KeyPair workload = generate("EC", "secp384r1");
        assertThrows(IllegalArgumentException.class,
                () -> encrypter.encrypt(workload.getPublic(), PAYLOAD, Map.of("alg", "dir")));
    }
}
