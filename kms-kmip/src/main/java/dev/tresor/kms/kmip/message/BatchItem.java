package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.Bytes;
import java.util.Optional;

/**
 * One operation of a request. The operation stays a number so that an operation Tresor does not
 * know can still be echoed in its failed response item.
 */
public record BatchItem(int operationCode, Optional<Bytes> uniqueBatchItemId, Ttlv payload) {
    public Optional<Operation> operation() {
        return Operation.of(operationCode);
    }

    static BatchItem from(Ttlv item) {
        int operation = item.require(Tag.OPERATION).asEnum();
        Optional<Bytes> id = item.find(Tag.UNIQUE_BATCH_ITEM_ID).map(Ttlv::asBytes);
        Ttlv payload = item.find(Tag.REQUEST_PAYLOAD).orElseGet(() -> Ttlv.structure(Tag.REQUEST_PAYLOAD));
        if (payload.type() != dev.tresor.kms.kmip.ttlv.ItemType.STRUCTURE) {
            throw KmipFailure.invalidMessage("Request Payload must be a Structure");
        }
        return new BatchItem(operation, id, payload);
    }
}
