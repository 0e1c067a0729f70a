package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.List;

/** Add Attribute: a new value, which must not clash with a single-valued attribute already set nor repeat a Name. */
final class AddAttributeHandler implements OperationHandler {
    private final ObjectAccess access;

    AddAttributeHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.ADD_ATTRIBUTE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Attributes.Named added = Attributes.single(request.find(Tag.NEW_ATTRIBUTE)
                .orElseGet(() -> request.require(Tag.ATTRIBUTE)));
        AttributeEdits.requireWritable(added.name(), context.version());
        int[] index = new int[1];
        Managed object = access.edit(context, request, current -> {
            List<Ttlv> values = AttributeEdits.values(current, added.name());
            if (!values.isEmpty() && !AttributeEdits.multiValued(added.name())) {
                throw new KmipFailure(context.version().isTwoOrLater() ? ResultReason.ATTRIBUTE_SINGLE_VALUED
                        : ResultReason.INVALID_FIELD, "attribute " + added.name() + " is single-valued and already set");
            }
            if (added.name().equals(Attributes.specName(Tag.NAME)) && values.contains(added.value())) {
                throw new KmipFailure(context.version().isTwoOrLater() ? ResultReason.NON_UNIQUE_NAME_ATTRIBUTE
                        : ResultReason.INVALID_FIELD, "object " + current.uid() + " already has this Name");
            }
            index[0] = values.size();
            values.add(added.value());
            return current.with(added.name(), values);
        });
        return AttributeEdits.answer(object, context.version(),
                new Attributes.Named(added.name(), index[0], added.value()));
    }
}
