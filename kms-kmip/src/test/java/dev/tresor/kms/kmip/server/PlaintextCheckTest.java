package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The conformance runner takes the plaintext of a Decrypt under a key the server generated from
 * the server (CS-BC-M-2 decrypts the recording server's ciphertext), but verifies it by encrypting
 * it back: the server's true plaintext passes, any other fails. Against a real server over TLS.
 */
class PlaintextCheckTest {
    private static final int ECB = 0x02;
    private static final int DECRYPT = 0x08;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final String BLOCK = "01020304050607080910111213141516";

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    @Test
    void theServersPlaintextPassesAndAnyOtherFails() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String key = activeAes128(kmip, ENCRYPT_DECRYPT,
                    Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, ECB)));
            Ttlv ciphertext = kmip.ok(Operation.ENCRYPT, Kmip.uid(key), data(BLOCK)).require(Tag.DATA);
            Ttlv decrypt = Requests.message(ProtocolVersion.V1_4, Requests.item(Operation.DECRYPT, Kmip.uid(key),
                    ciphertext));
            Ttlv answer = client.call(decrypt);

            assertEquals(Optional.empty(), PlaintextCheck.verify(client::call, decrypt, answer, 0));
            String wrong = "0102030405060708091011121314151f";
            Optional<String> problem = PlaintextCheck.verify(client::call, decrypt, answered(key, wrong), 0);
            String encrypted = HexFormat.of().formatHex(kmip.ok(Operation.ENCRYPT, Kmip.uid(key), data(wrong))
                    .require(Tag.DATA).asBytes().toArray());
            assertEquals(Optional.of("the Decrypt's plaintext " + wrong + " encrypts to " + encrypted
                    + ", not the file's Data " + HexFormat.of().formatHex(ciphertext.asBytes().toArray())), problem);
        }
    }

    @Test
    void aPlaintextTheKeyCannotEncryptBackFails() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String decryptOnly = activeAes128(kmip, DECRYPT);
            Ttlv decrypt = Requests.message(ProtocolVersion.V2_1, Requests.item(Operation.DECRYPT,
                    Kmip.uid(decryptOnly), data("fd912d102dbb482f6f6e91bd57119095")));

            Optional<String> problem = PlaintextCheck.verify(client::call, decrypt, answered(decryptOnly, BLOCK), 0);
            assertTrue(problem.orElseThrow().startsWith("the Encrypt that checks the Decrypt's plaintext failed"),
                    problem.orElseThrow());
        }
    }

    /** A new Active AES-128 key the server generated, with this usage mask and {@code extra} attributes. */
    private static String activeAes128(Kmip kmip, int usageMask, Ttlv... extra) throws Exception {
        List<Ttlv> attributes = new ArrayList<>(List.of(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 128), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, usageMask)));
        attributes.addAll(List.of(extra));
        String key = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02),
                kmip.attributes(attributes.toArray(Ttlv[]::new))).require(Tag.UNIQUE_IDENTIFIER).asText();
        kmip.ok(Operation.ACTIVATE, Kmip.uid(key));
        return key;
    }

    private static Ttlv data(String hex) {
        return Ttlv.bytes(Tag.DATA, Bytes.wrap(HexFormat.of().parseHex(hex)));
    }

    /** A Decrypt answer as a server could have sent it, with {@code plaintext}. */
    private static Ttlv answered(String uid, String plaintext) {
        return Ttlv.structure(Tag.RESPONSE_MESSAGE, Ttlv.structure(Tag.BATCH_ITEM,
                Ttlv.enumeration(Tag.OPERATION, Operation.DECRYPT.code()), Ttlv.enumeration(Tag.RESULT_STATUS, 0),
                Ttlv.structure(Tag.RESPONSE_PAYLOAD, Kmip.uid(uid), data(plaintext))));
    }
}
