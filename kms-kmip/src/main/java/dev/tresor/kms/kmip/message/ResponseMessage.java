package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A Response Message. The header carries Protocol Version, Time Stamp and Batch Count, which
 * every version from 1.0 on defines; PyKMIP 0.10 refuses any other header field (KMIP.md section
 * 5). Only a 2.1 answer, which PyKMIP cannot ask for, also names a Server Correlation Value, and
 * only an Attestation Required answer to a client that set Attestation Capable Indicator carries
 * a Nonce and the Attestation Types Tresor accepts.
 */
public record ResponseMessage(ProtocolVersion version, Instant timeStamp, Optional<Nonce> nonce,
                              List<ResponseItem> items) {
    public ResponseMessage {
        timeStamp = timeStamp.truncatedTo(ChronoUnit.SECONDS);
        Objects.requireNonNull(nonce);
        items = List.copyOf(items);
    }

    public ResponseMessage(ProtocolVersion version, Instant timeStamp, List<ResponseItem> items) {
        this(version, timeStamp, Optional.empty(), items);
    }

    public Ttlv toTtlv() {
        List<Ttlv> fields = new ArrayList<>();
        List<Ttlv> header = new ArrayList<>();
        header.add(version.toTtlv());
        header.add(Ttlv.dateTime(Tag.TIME_STAMP, timeStamp));
        nonce.ifPresent(n -> {
            header.add(n.toTtlv());
            for (AttestationType type : AttestationType.values()) {
                header.add(Ttlv.enumeration(Tag.ATTESTATION_TYPE, type.code()));
            }
        });
        if (version.atLeast(ProtocolVersion.V2_1)) {
            header.add(Ttlv.text(Tag.SERVER_CORRELATION_VALUE, UUID.randomUUID().toString()));
        }
        header.add(Ttlv.integer(Tag.BATCH_COUNT, items.size()));
        fields.add(Ttlv.structure(Tag.RESPONSE_HEADER, header));
        for (ResponseItem item : items) {
            fields.add(item.toTtlv());
        }
        return Ttlv.structure(Tag.RESPONSE_MESSAGE, fields);
    }
}
