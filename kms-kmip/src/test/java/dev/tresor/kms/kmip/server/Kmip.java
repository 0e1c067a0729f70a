package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A small test-side KMIP client over {@link KmipTestClient}: one batch item per call, in one version. */
final class Kmip {
    private final KmipTestClient client;
    private final ProtocolVersion version;

    Kmip(KmipTestClient client, ProtocolVersion version) {
        this.client = client;
        this.version = version;
    }

    /** The single response item. */
    Ttlv item(Operation operation, Ttlv... payload) throws IOException {
        return Requests.items(client.call(Requests.message(version, Requests.item(operation, payload)))).get(0);
    }

    /** The payload of a successful item; fails the test with the result message otherwise. */
    Ttlv ok(Operation operation, Ttlv... payload) throws IOException {
        Ttlv item = item(operation, payload);
        if (Requests.status(item) != 0) {
            throw new AssertionError(operation + " failed: " + item.find(Tag.RESULT_MESSAGE).map(Ttlv::asText).orElse("?"));
        }
        return item.require(Tag.RESPONSE_PAYLOAD);
    }

    /** The value of the attribute a 1.x Get Attributes names ({@code name}), or empty when the object has none. */
    java.util.Optional<Ttlv> namedAttribute(String uid, String name) throws IOException {
        return ok(Operation.GET_ATTRIBUTES, uid(uid), Ttlv.text(Tag.ATTRIBUTE_NAME, name))
                .find(Tag.ATTRIBUTE).map(attribute -> attribute.require(Tag.ATTRIBUTE_VALUE));
    }

    /** The Result Reason of an item that must fail. */
    int refused(Operation operation, Ttlv... payload) throws IOException {
        Ttlv item = item(operation, payload);
        if (Requests.status(item) == 0) {
            throw new AssertionError(operation + " succeeded but should have failed");
        }
        return Requests.reason(item);
    }

    List<Ttlv> batch(Ttlv... items) throws IOException {
        return Requests.items(client.call(Requests.message(version, items)));
    }

    /** Attributes in this version's form: 1.x Template-Attribute of named attributes, 2.x tagged items. */
    Ttlv attributes(Ttlv... tagged) {
        if (version.isTwoOrLater()) {
            return Ttlv.structure(Tag.ATTRIBUTES, tagged);
        }
        List<Ttlv> named = new ArrayList<>();
        for (Ttlv item : tagged) {
            String name = Tag.of(item.tag()).orElseThrow().xmlName().replaceAll("(?<=[a-z])(?=[A-Z])", " ");
            named.add(Ttlv.structure(Tag.ATTRIBUTE, Ttlv.text(Tag.ATTRIBUTE_NAME, name),
                    new Ttlv(Tag.ATTRIBUTE_VALUE.code(), item.type(), item.value())));
        }
        return Ttlv.structure(Tag.TEMPLATE_ATTRIBUTE, named);
    }

    /** Creates an AES-256 key for Encrypt and Decrypt, with {@code extra} attributes; answers its Unique Identifier. */
    String createAes256(Ttlv... extra) throws IOException {
        List<Ttlv> attributes = new ArrayList<>(List.of(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C)));
        attributes.addAll(List.of(extra));
        return ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02), attributes(attributes.toArray(Ttlv[]::new)))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    /**
     * Registers raw symmetric key material of {@code algorithm}, Active since just before
     * {@code now} (the server's clock); answers its Unique Identifier.
     */
    String registerActiveKey(java.time.Instant now, int algorithm, int bits, int usageMask, Bytes material)
            throws IOException {
        return ok(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02),
                attributes(Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, usageMask),
                        Ttlv.dateTime(Tag.ACTIVATION_DATE, now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                                .minusSeconds(5))),
                Ttlv.structure(Tag.SYMMETRIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                        Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 1),
                        Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, material)),
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, algorithm),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, bits))))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    static Ttlv uid(String uid) {
        return Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid);
    }

    static Ttlv name(String name) {
        return Ttlv.structure(Tag.NAME, Ttlv.text(Tag.NAME_VALUE, name), Ttlv.enumeration(Tag.NAME_TYPE, 1));
    }
}
