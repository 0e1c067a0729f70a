package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The parts of a Request Header Tresor acts on. {@code batchOrder} already holds the version's
 * default when the client sent none: False in 1.x, True in 2.x (spec 2.1 section 6.14).
 * {@code attestation} is the Attestation credential of a retried request (KMIP.md section 3).
 */
public record RequestHeader(
        ProtocolVersion version,
        Optional<Integer> maximumResponseSize,
        Optional<Instant> timeStamp,
        boolean attestationCapable,
        Optional<AttestationCredential> attestation,
        boolean batchOrder,
        BatchErrorContinuation errorContinuation,
        int batchCount) {

    /** Repeatable header fields; any other field sent twice makes the message invalid. */
    private static final Set<Integer> REPEATABLE = Set.of(Tag.ATTESTATION_TYPE.code());

    static RequestHeader from(Ttlv header) {
        Set<Integer> seen = new HashSet<>();
        for (Ttlv field : header.items()) {
            if (!seen.add(field.tag()) && !REPEATABLE.contains(field.tag())) {
                throw KmipFailure.invalidMessage("the request header repeats a field");
            }
        }
        ProtocolVersion version = ProtocolVersion.from(header.require(Tag.PROTOCOL_VERSION));
        Optional<Integer> maximumResponseSize = header.find(Tag.MAXIMUM_RESPONSE_SIZE).map(Ttlv::asInt);
        if (maximumResponseSize.isPresent() && maximumResponseSize.get() <= 0) {
            throw KmipFailure.invalidMessage("Maximum Response Size must be positive");
        }
        int batchCount = header.require(Tag.BATCH_COUNT).asInt();
        return new RequestHeader(
                version,
                maximumResponseSize,
                header.find(Tag.TIME_STAMP).map(Ttlv::asDateTime),
                header.find(Tag.ATTESTATION_CAPABLE_INDICATOR).map(Ttlv::asBoolean).orElse(false),
                AttestationCredential.from(header.find(Tag.AUTHENTICATION), version),
                header.find(Tag.BATCH_ORDER_OPTION).map(Ttlv::asBoolean).orElse(version.isTwoOrLater()),
                header.find(Tag.BATCH_ERROR_CONTINUATION_OPTION).map(o -> BatchErrorContinuation.of(o.asEnum()))
                        .orElse(BatchErrorContinuation.STOP),
                batchCount);
    }
}
