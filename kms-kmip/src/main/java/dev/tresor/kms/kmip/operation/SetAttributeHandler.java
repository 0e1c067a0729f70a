package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.List;

/** Set Attribute (2.x): the attribute gets exactly this one value. */
final class SetAttributeHandler implements OperationHandler {
    private final ObjectAccess access;

    SetAttributeHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.SET_ATTRIBUTE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Attributes.Named set = Attributes.single(request.require(Tag.NEW_ATTRIBUTE));
        AttributeEdits.requireWritable(set.name(), access.any(context, request), context.version());
        Managed object = access.edit(context, request, current -> current.with(set.name(), List.of(set.value())));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()));
    }
}
