package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.util.List;

/**
 * Modify Attribute: replaces one value, chosen by Attribute Index (1.x) or by Current Attribute
 * (2.x), the first value otherwise.
 */
final class ModifyAttributeHandler implements OperationHandler {
    private final ObjectAccess access;

    ModifyAttributeHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.MODIFY_ATTRIBUTE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Attributes.Named modified = Attributes.single(request.find(Tag.NEW_ATTRIBUTE)
                .orElseGet(() -> request.require(Tag.ATTRIBUTE)));
        AttributeEdits.requireWritable(modified.name(), access.any(context, request), context.version());
        int[] index = {modified.index()};
        Managed object = access.edit(context, request, current -> {
            List<Ttlv> values = AttributeEdits.values(current, modified.name());
            request.find(Tag.CURRENT_ATTRIBUTE).map(Attributes::single)
                    .ifPresent(old -> index[0] = values.indexOf(old.value()));
            if (index[0] < 0 || index[0] >= values.size()) {
                throw KmsError.notFound("attribute " + modified.name() + " value");
            }
            values.set(index[0], modified.value());
            return current.with(modified.name(), values);
        });
        return AttributeEdits.answer(object, context.version(),
                new Attributes.Named(modified.name(), index[0], modified.value()));
    }
}
