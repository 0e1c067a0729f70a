package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.util.List;

/**
 * Delete Attribute: one value, chosen by Attribute Name and Index (1.x) or by Current Attribute
 * (2.x); a 2.x Attribute Reference deletes every value.
 */
final class DeleteAttributeHandler implements OperationHandler {
    private final ObjectAccess access;

    DeleteAttributeHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.DELETE_ATTRIBUTE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Attributes.Named target = request.find(Tag.CURRENT_ATTRIBUTE).map(Attributes::single)
                .orElseGet(() -> new Attributes.Named(Attributes.requestedNames(request).stream().findFirst()
                        .orElseThrow(() -> KmsError.invalid("Delete Attribute names no attribute")),
                        request.find(Tag.ATTRIBUTE_INDEX).map(Ttlv::asInt).orElse(-1), null));
        AttributeEdits.requireWritable(target.name());
        Ttlv[] deleted = new Ttlv[1];
        KmipObject object = access.change(context, request, current -> {
            List<Ttlv> values = AttributeEdits.values(current, target.name());
            int index = target.value() != null ? values.indexOf(target.value())
                    : request.find(Tag.ATTRIBUTE_REFERENCE).isPresent() ? -2 : Math.max(target.index(), 0);
            if (index == -2) {
                if (values.isEmpty()) {
                    throw KmsError.notFound("attribute " + target.name());
                }
                deleted[0] = values.get(0);
                return current.with(target.name(), List.of());
            }
            if (index < 0 || index >= values.size()) {
                throw KmsError.notFound("attribute " + target.name() + " value");
            }
            deleted[0] = values.remove(index);
            return current.with(target.name(), values);
        });
        return AttributeEdits.answer(object, context.version(),
                new Attributes.Named(target.name(), Math.max(target.index(), 0), deleted[0]));
    }
}
