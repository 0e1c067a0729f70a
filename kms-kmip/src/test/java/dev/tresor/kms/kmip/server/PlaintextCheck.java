package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvXml;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.w3c.dom.Element;

/**
 * Verifies the plaintext of a Decrypt that no other server can reproduce (a literal ciphertext made
 * under the recording server's own randomly generated AES key, so the runner takes the plaintext
 * from the server) independently of the server's cipher: one extra request, not part of the file
 * and not compared with it, Gets the key's material, the runner decrypts the file's ciphertext with
 * it through javax.crypto, and the server's plaintext must be that. This proves both that the
 * server ran AES in the named mode and that it ran it under the key it stores and exports.
 */
final class PlaintextCheck {
    private static final Map<String, String> PADDINGS = Map.of("", "NoPadding", "None", "NoPadding",
            "PKCS5", "PKCS5Padding");
    /** The Cryptographic Parameters fields the runner reproduces; any other one (tag length, random IV ...) it does not. */
    private static final Set<String> UNDERSTOOD = Set.of("BlockCipherMode", "PaddingMethod", "CryptographicAlgorithm");

    private PlaintextCheck() {
    }

    /** Batch item {@code item} of a request, a Decrypt to verify by decrypting locally with {@code transformation}. */
    record Decryption(int item, String transformation) {
    }

    /**
     * The javax.crypto transformation that reproduces an AES Decrypt under these Cryptographic
     * Parameters (a request's, or the ones the key was created with), if the runner can: ECB
     * without an IV, CBC with the client's IV, no padding or PKCS#5.
     */
    static Optional<String> transformation(Element parameters, boolean clientIv) {
        Map<String, String> fields = new HashMap<>();
        for (Element field : TtlvXml.childElements(parameters)) {
            if (!UNDERSTOOD.contains(field.getTagName())) {
                return Optional.empty();
            }
            fields.put(field.getTagName(), field.getAttribute("value"));
        }
        String mode = fields.getOrDefault("BlockCipherMode", "");
        String padding = PADDINGS.get(fields.getOrDefault("PaddingMethod", ""));
        boolean reproducible = padding != null && fields.getOrDefault("CryptographicAlgorithm", "AES").equals("AES")
                && (mode.equals("ECB") && !clientIv || mode.equals("CBC") && clientIv);
        return reproducible ? Optional.of("AES/" + mode + "/" + padding) : Optional.empty();
    }

    /**
     * Checks a Decrypt of a sent request against its answer: Gets the key the request named through
     * {@code server} and decrypts the request's Data under it locally; the problem, if the server's
     * plaintext differs or the key cannot be had.
     */
    static Optional<String> verify(OasisConformanceTest.Transport server, Ttlv request, Ttlv answer,
                                   Decryption decryption) throws Exception {
        Ttlv decrypt = Requests.items(request).get(decryption.item()).require(Tag.REQUEST_PAYLOAD);
        Ttlv plaintext = Requests.items(answer).get(decryption.item()).require(Tag.RESPONSE_PAYLOAD)
                .require(Tag.DATA);
        ProtocolVersion version = ProtocolVersion.from(request.require(Tag.REQUEST_HEADER)
                .require(Tag.PROTOCOL_VERSION));
        Ttlv got = Requests.items(server.call(Requests.message(version,
                Requests.item(Operation.GET, decrypt.require(Tag.UNIQUE_IDENTIFIER))))).get(0);
        if (Requests.status(got) != 0) {
            return Optional.of("the runner's Get of the key, to check the Decrypt's plaintext, failed: "
                    + got.find(Tag.RESULT_MESSAGE).map(Ttlv::asText).orElse("no message"));
        }
        byte[] key = got.require(Tag.RESPONSE_PAYLOAD).require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK)
                .require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes().toArray();
        byte[] expected;
        try {
            Cipher cipher = Cipher.getInstance(decryption.transformation());
            SecretKeySpec spec = new SecretKeySpec(key, "AES");
            Optional<Ttlv> iv = decrypt.find(Tag.IV_COUNTER_NONCE);
            if (iv.isPresent()) {
                cipher.init(Cipher.DECRYPT_MODE, spec, new IvParameterSpec(iv.get().asBytes().toArray()));
            } else {
                cipher.init(Cipher.DECRYPT_MODE, spec);
            }
            expected = cipher.doFinal(decrypt.require(Tag.DATA).asBytes().toArray());
        } catch (GeneralSecurityException e) {
            return Optional.of("the file's ciphertext does not decrypt locally (" + decryption.transformation()
                    + ") under the key's material: " + e.getMessage());
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        String actual = hex(plaintext.asBytes().toArray());
        if (!actual.equals(hex(expected))) {
            return Optional.of("the Decrypt's plaintext " + actual + " is not " + hex(expected)
                    + ", the file's Data decrypted locally (" + decryption.transformation()
                    + ") under the key's material");
        }
        return Optional.empty();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
