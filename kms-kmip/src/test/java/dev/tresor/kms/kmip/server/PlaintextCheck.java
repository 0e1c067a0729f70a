package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Verifies the plaintext of a Decrypt that no other server can reproduce (a literal ciphertext made
 * under the recording server's own randomly generated key, which the runner therefore takes from
 * the server): one extra request, not part of the file and not compared with it, Encrypts the
 * returned Data under the same key with the Decrypt's own Cryptographic Parameters (none: the
 * key's), IV and additional data, and the result must be the file's ciphertext (and
 * authentication tag, if the Decrypt carried one). A wrong plaintext so still fails the file.
 */
final class PlaintextCheck {
    private static final List<Tag> CARRIED_BEFORE_DATA = List.of(Tag.CRYPTOGRAPHIC_PARAMETERS);
    private static final List<Tag> CARRIED_AFTER_DATA = List.of(Tag.IV_COUNTER_NONCE,
            Tag.AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA);

    private PlaintextCheck() {
    }

    /**
     * Checks batch item {@code item} of a sent request, a Decrypt, against its answer by encrypting
     * the answer's plaintext back through {@code server}; the problem, if the ciphertext differs.
     */
    static Optional<String> verify(OasisConformanceTest.Transport server, Ttlv request, Ttlv answer, int item)
            throws Exception {
        Ttlv decrypt = Requests.items(request).get(item).require(Tag.REQUEST_PAYLOAD);
        Ttlv plaintext = Requests.items(answer).get(item).require(Tag.RESPONSE_PAYLOAD);
        List<Ttlv> payload = new ArrayList<>();
        payload.add(plaintext.require(Tag.UNIQUE_IDENTIFIER));
        CARRIED_BEFORE_DATA.forEach(tag -> decrypt.find(tag).ifPresent(payload::add));
        payload.add(plaintext.require(Tag.DATA));
        CARRIED_AFTER_DATA.forEach(tag -> decrypt.find(tag).ifPresent(payload::add));
        ProtocolVersion version = ProtocolVersion.from(request.require(Tag.REQUEST_HEADER)
                .require(Tag.PROTOCOL_VERSION));
        Ttlv encrypted = Requests.items(server.call(Requests.message(version,
                Requests.item(Operation.ENCRYPT, payload.toArray(Ttlv[]::new))))).get(0);
        if (Requests.status(encrypted) != 0) {
            return Optional.of("the Encrypt that checks the Decrypt's plaintext failed: "
                    + encrypted.find(Tag.RESULT_MESSAGE).map(Ttlv::asText).orElse("no message"));
        }
        Ttlv output = encrypted.require(Tag.RESPONSE_PAYLOAD);
        for (Tag field : List.of(Tag.DATA, Tag.AUTHENTICATED_ENCRYPTION_TAG)) {
            Optional<String> expected = decrypt.find(field).map(PlaintextCheck::hex);
            Optional<String> actual = output.find(field).map(PlaintextCheck::hex);
            if (expected.isPresent() && !expected.equals(actual)) {
                return Optional.of("the Decrypt's plaintext " + hex(plaintext.require(Tag.DATA)) + " encrypts to "
                        + actual.orElse("nothing") + ", not the file's " + field.xmlName() + " " + expected.get());
            }
        }
        return Optional.empty();
    }

    private static String hex(Ttlv bytes) {
        return HexFormat.of().formatHex(bytes.asBytes().toArray());
    }
}
