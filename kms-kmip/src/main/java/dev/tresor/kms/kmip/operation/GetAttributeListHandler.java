package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;

/**
 * Get Attribute List: the names of the attributes Get Attributes answers when asked for all, in
 * the same order; 2.x names standard ones by tag.
 */
final class GetAttributeListHandler implements OperationHandler {
    private final ObjectAccess access;
    private final AttributeReport report;

    GetAttributeListHandler(ObjectAccess access, AttributeReport report) {
        this.access = access;
        this.report = report;
    }

    @Override
    public Operation operation() {
        return Operation.GET_ATTRIBUTE_LIST;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Managed object = access.described(context, request);
        List<Ttlv> answer = new ArrayList<>();
        answer.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()));
        for (String name : report.listed(context, object, true).keySet()) {
            answer.add(context.version().isTwoOrLater() ? reference(name) : Ttlv.text(Tag.ATTRIBUTE_NAME, name));
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }

    private static Ttlv reference(String name) {
        return Tag.byName(name).filter(t -> !name.startsWith("x-") && !name.startsWith("y-"))
                .map(tag -> Ttlv.enumeration(Tag.ATTRIBUTE_REFERENCE, tag.code()))
                .orElseGet(() -> Ttlv.structure(Tag.ATTRIBUTE_REFERENCE,
                        Ttlv.text(Tag.VENDOR_IDENTIFICATION, Attributes.vendorOf(name)),
                        Ttlv.text(Tag.ATTRIBUTE_NAME, name)));
    }
}
