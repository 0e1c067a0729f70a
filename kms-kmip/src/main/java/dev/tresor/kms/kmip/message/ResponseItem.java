package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** One Response Batch Item; encoded in spec order, with only the fields that are set. */
public record ResponseItem(
        OptionalInt operationCode,
        Optional<Bytes> uniqueBatchItemId,
        ResultStatus status,
        Optional<ResultReason> reason,
        Optional<String> message,
        Optional<Ttlv> payload) {

    public ResponseItem {
        Objects.requireNonNull(operationCode);
        Objects.requireNonNull(uniqueBatchItemId);
        Objects.requireNonNull(status);
        Objects.requireNonNull(reason);
        Objects.requireNonNull(message);
        Objects.requireNonNull(payload);
    }

    public static ResponseItem success(BatchItem request, Ttlv payload) {
        return new ResponseItem(OptionalInt.of(request.operationCode()), request.uniqueBatchItemId(),
                ResultStatus.SUCCESS, Optional.empty(), Optional.empty(), Optional.of(payload));
    }

    public static ResponseItem failure(BatchItem request, ResultReason reason, String message) {
        return new ResponseItem(OptionalInt.of(request.operationCode()), request.uniqueBatchItemId(),
                ResultStatus.OPERATION_FAILED, Optional.of(reason), Optional.of(message), Optional.empty());
    }

    /**
     * A processed item of a batch that was undone (Batch Error Continuation Option Undo): the
     * answer it had, as the OASIS recordings show it (BL-M-2-21), with status Operation Undone.
     */
    public ResponseItem undone() {
        return new ResponseItem(operationCode, uniqueBatchItemId, ResultStatus.OPERATION_UNDONE, reason, message,
                payload);
    }

    public ResponseItem withMessage(String newMessage) {
        return new ResponseItem(operationCode, uniqueBatchItemId, status, reason, Optional.of(newMessage), payload);
    }

    /** The one item of an answer to a message that could not be read: it names no operation. */
    public static ResponseItem messageFailure(ResultReason reason, String message) {
        return new ResponseItem(OptionalInt.empty(), Optional.empty(), ResultStatus.OPERATION_FAILED,
                Optional.of(reason), Optional.of(message), Optional.empty());
    }

    public Ttlv toTtlv() {
        List<Ttlv> fields = new ArrayList<>();
        operationCode.ifPresent(op -> fields.add(Ttlv.enumeration(Tag.OPERATION, op)));
        uniqueBatchItemId.ifPresent(id -> fields.add(Ttlv.bytes(Tag.UNIQUE_BATCH_ITEM_ID, id)));
        fields.add(Ttlv.enumeration(Tag.RESULT_STATUS, status.code()));
        reason.ifPresent(r -> fields.add(Ttlv.enumeration(Tag.RESULT_REASON, r.code())));
        message.ifPresent(m -> fields.add(Ttlv.text(Tag.RESULT_MESSAGE, m)));
        payload.ifPresent(fields::add);
        return Ttlv.structure(Tag.BATCH_ITEM, fields);
    }
}
