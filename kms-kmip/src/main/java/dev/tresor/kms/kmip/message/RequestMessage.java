package dev.tresor.kms.kmip.message;

import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** A decoded Request Message: its header and batch items, checked for the structural rules of spec 1.4 section 7. */
public record RequestMessage(RequestHeader header, List<BatchItem> items) {
    public RequestMessage {
        items = List.copyOf(items);
    }

    /**
     * Reads a request; a message that is not one fails with {@link KmipFailure} (Invalid Message).
     * A field of the wrong type is the client's error too, reported the same way.
     */
    public static RequestMessage from(Ttlv message) {
        if (!message.is(Tag.REQUEST_MESSAGE) || message.type() != ItemType.STRUCTURE) {
            throw KmipFailure.invalidMessage("not a Request Message");
        }
        try {
            RequestHeader header = RequestHeader.from(message.require(Tag.REQUEST_HEADER));
            List<BatchItem> items = new ArrayList<>();
            for (Ttlv item : message.all(Tag.BATCH_ITEM)) {
                items.add(BatchItem.from(item));
            }
            if (items.isEmpty() || items.size() != header.batchCount()) {
                throw KmipFailure.invalidMessage("Batch Count " + header.batchCount() + " but " + items.size()
                        + " batch items");
            }
            return new RequestMessage(header, items);
        } catch (KmsError e) {
            throw KmipFailure.invalidMessage(e.getMessage());
        }
    }

    /**
     * Whether an undecoded request declares one batch item whose Operation is one of
     * {@code operations}: a hint read from the bytes (see {@link TtlvReader#peekInteger}), never a
     * check.
     */
    public static boolean declaresLoneItemOf(byte[] message, Set<Operation> operations) {
        if (!TtlvReader.peekInteger(message, ItemType.INTEGER, Tag.REQUEST_HEADER, Tag.BATCH_COUNT)
                .equals(OptionalInt.of(1))) {
            return false;
        }
        OptionalInt code = TtlvReader.peekInteger(message, ItemType.ENUMERATION, Tag.BATCH_ITEM, Tag.OPERATION);
        return code.isPresent() && Operation.of(code.getAsInt()).filter(operations::contains).isPresent();
    }

    /** The protocol version a request claims, if it can be read at all; an error answer uses it. */
    public static Optional<ProtocolVersion> claimedVersion(Ttlv message) {
        try {
            return Optional.of(ProtocolVersion.from(message.require(Tag.REQUEST_HEADER).require(Tag.PROTOCOL_VERSION)));
        } catch (KmsError e) {
            return Optional.empty();
        }
    }
}
