package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.util.List;
import java.util.Optional;

/**
 * Delete Attribute. 1.x names the attribute and optionally an Attribute Index (the first value
 * otherwise); 2.x names the value to delete with Current Attribute, or the whole attribute with
 * an Attribute Reference.
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
        Optional<Attributes.Named> current = request.find(Tag.CURRENT_ATTRIBUTE).map(Attributes::single);
        String name = current.map(Attributes.Named::name).orElseGet(() -> Attributes.requestedNames(request).stream()
                .findFirst().orElseThrow(() -> KmsError.invalid("Delete Attribute names no attribute")));
        AttributeEdits.requireWritable(name, context.version());
        boolean wholeAttribute = current.isEmpty() && request.find(Tag.ATTRIBUTE_REFERENCE).isPresent();
        int requestedIndex = request.find(Tag.ATTRIBUTE_INDEX).map(Ttlv::asInt).orElse(0);
        Attributes.Named[] deleted = new Attributes.Named[1];
        Managed object = access.edit(context, request, stored -> {
            List<Ttlv> values = AttributeEdits.values(stored, name);
            int index = current.map(c -> values.indexOf(c.value())).orElse(requestedIndex);
            if (values.isEmpty() || index < 0 || index >= values.size()) {
                throw KmsError.notFound("attribute " + name + " value");
            }
            deleted[0] = new Attributes.Named(name, index, values.get(index));
            if (wholeAttribute) {
                values.clear();
            } else {
                values.remove(index);
            }
            return stored.with(name, values);
        });
        return AttributeEdits.answer(object, context.version(), deleted[0]);
    }
}
