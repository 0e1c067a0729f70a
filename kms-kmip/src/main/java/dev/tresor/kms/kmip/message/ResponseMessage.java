package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A Response Message. The header carries only Protocol Version, Time Stamp and Batch Count:
 * PyKMIP 0.10 refuses any other header field (KMIP.md section 5), and these three are valid in
 * every version from 1.0 to 2.1.
 */
public record ResponseMessage(ProtocolVersion version, Instant timeStamp, List<ResponseItem> items) {
    public ResponseMessage {
        timeStamp = timeStamp.truncatedTo(ChronoUnit.SECONDS);
        items = List.copyOf(items);
    }

    public Ttlv toTtlv() {
        List<Ttlv> fields = new ArrayList<>();
        fields.add(Ttlv.structure(Tag.RESPONSE_HEADER,
                version.toTtlv(),
                Ttlv.dateTime(Tag.TIME_STAMP, timeStamp),
                Ttlv.integer(Tag.BATCH_COUNT, items.size())));
        for (ResponseItem item : items) {
            fields.add(item.toTtlv());
        }
        return Ttlv.structure(Tag.RESPONSE_MESSAGE, fields);
    }
}
