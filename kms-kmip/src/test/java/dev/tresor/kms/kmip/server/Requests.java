package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;

/** Builds request messages for tests. */
final class Requests {
    private Requests() {
    }

    static Ttlv item(Operation operation, Ttlv... payload) {
        return Ttlv.structure(Tag.BATCH_ITEM,
                Ttlv.enumeration(Tag.OPERATION, operation.code()),
                Ttlv.structure(Tag.REQUEST_PAYLOAD, List.of(payload)));
    }

    static Ttlv message(ProtocolVersion version, List<Ttlv> headerExtras, Ttlv... items) {
        List<Ttlv> header = new ArrayList<>();
        header.add(version.toTtlv());
        header.addAll(headerExtras);
        header.add(Ttlv.integer(Tag.BATCH_COUNT, items.length));
        List<Ttlv> message = new ArrayList<>();
        message.add(Ttlv.structure(Tag.REQUEST_HEADER, header));
        message.addAll(List.of(items));
        return Ttlv.structure(Tag.REQUEST_MESSAGE, message);
    }

    static Ttlv message(ProtocolVersion version, Ttlv... items) {
        return message(version, List.of(), items);
    }

    static Ttlv discoverVersions(ProtocolVersion version) {
        return message(version, item(Operation.DISCOVER_VERSIONS));
    }

    /** The batch items of a response. */
    static List<Ttlv> items(Ttlv response) {
        return response.all(Tag.BATCH_ITEM);
    }

    static ProtocolVersion version(Ttlv response) {
        return ProtocolVersion.from(response.require(Tag.RESPONSE_HEADER).require(Tag.PROTOCOL_VERSION));
    }

    static int status(Ttlv item) {
        return item.require(Tag.RESULT_STATUS).asEnum();
    }

    static int reason(Ttlv item) {
        return item.require(Tag.RESULT_REASON).asEnum();
    }
}
