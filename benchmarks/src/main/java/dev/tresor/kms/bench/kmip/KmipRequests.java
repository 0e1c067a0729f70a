package dev.tresor.kms.bench.kmip;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import java.util.List;

/**
 * The KMIP 1.4 requests of the load test, one batch item each, in the shape the PyKMIP 0.10
 * client sends them (KMIP.md section 5): no Time Stamp or batch options in the header, a 1.x
 * Template-Attribute of name/value pairs for Create, explicit Cryptographic Parameters for
 * Encrypt because the PyKMIP server does not fall back to the key's.
 */
final class KmipRequests {
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int AES = 0x03;
    private static final int GCM = 0x09;
    private static final int ENCRYPT_AND_DECRYPT = 0x04 | 0x08;
    private static final int SUCCESS = 0x00;
    static final int GCM_TAG_BYTES = 16;

    private KmipRequests() {
    }

    /** Create an AES key of {@code bits} that may encrypt and decrypt; it starts Pre-Active. */
    static byte[] createAes(int bits) {
        return message(Operation.CREATE,
                Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY),
                Ttlv.structure(Tag.TEMPLATE_ATTRIBUTE,
                        attribute("Cryptographic Algorithm", Ttlv.enumeration(Tag.ATTRIBUTE_VALUE, AES)),
                        attribute("Cryptographic Length", Ttlv.integer(Tag.ATTRIBUTE_VALUE, bits)),
                        attribute("Cryptographic Usage Mask", Ttlv.integer(Tag.ATTRIBUTE_VALUE, ENCRYPT_AND_DECRYPT))));
    }

    static byte[] activate(String uid) {
        return message(Operation.ACTIVATE, Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid));
    }

    /** AES-GCM with a 16-byte tag and an IV the server makes. */
    static byte[] encryptGcm(String uid, Bytes plaintext) {
        return message(Operation.ENCRYPT,
                Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid),
                Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS,
                        Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, GCM),
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                        Ttlv.bool(Tag.RANDOM_IV, true),
                        Ttlv.integer(Tag.TAG_LENGTH, GCM_TAG_BYTES)),
                Ttlv.bytes(Tag.DATA, plaintext));
    }

    /** The payload of a one-item response, or the server's refusal with its reason and message. */
    static Ttlv payload(Ttlv response) throws RefusedException {
        List<Ttlv> items = response.all(Tag.BATCH_ITEM);
        if (items.size() != 1) {
            throw new RefusedException("expected one batch item, got " + items.size());
        }
        Ttlv item = items.get(0);
        if (item.require(Tag.RESULT_STATUS).asEnum() != SUCCESS) {
            throw new RefusedException("result reason "
                    + item.find(Tag.RESULT_REASON).map(r -> "0x" + Integer.toHexString(r.asEnum())).orElse("absent")
                    + ": " + item.find(Tag.RESULT_MESSAGE).map(Ttlv::asText).orElse("no message"));
        }
        return item.find(Tag.RESPONSE_PAYLOAD).orElseGet(() -> Ttlv.structure(Tag.RESPONSE_PAYLOAD));
    }

    private static Ttlv attribute(String name, Ttlv value) {
        return Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, name), value);
    }

    private static byte[] message(Operation operation, Ttlv... payload) {
        return TtlvWriter.write(Ttlv.structure(Tag.REQUEST_MESSAGE,
                Ttlv.structure(Tag.REQUEST_HEADER,
                        ProtocolVersion.V1_4.toTtlv(),
                        Ttlv.integer(Tag.BATCH_COUNT, 1)),
                Ttlv.structure(Tag.BATCH_ITEM,
                        Ttlv.enumeration(Tag.OPERATION, operation.code()),
                        Ttlv.structure(Tag.REQUEST_PAYLOAD, List.of(payload)))));
    }

    /** A well-formed answer that reports failure, or one that is not the answer asked for. */
    static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message, null, false, false);
        }
    }
}
