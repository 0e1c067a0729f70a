package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;

/**
 * Discover Versions (spec 1.4 section 4.26): the versions both sides speak, the server's best
 * first; all of the server's when the client lists none; an empty list when none match.
 */
final class DiscoverVersionsHandler implements OperationHandler {
    @Override
    public Operation operation() {
        return Operation.DISCOVER_VERSIONS;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        List<ProtocolVersion> offered = new ArrayList<>();
        for (Ttlv version : request.all(Tag.PROTOCOL_VERSION)) {
            offered.add(ProtocolVersion.from(version));
        }
        List<Ttlv> answer = new ArrayList<>();
        for (ProtocolVersion version : ProtocolVersion.SUPPORTED) {
            if (offered.isEmpty() || offered.contains(version)) {
                answer.add(version.toTtlv());
            }
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }
}
