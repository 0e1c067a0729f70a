package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Get Attributes: the named attributes (all when none are named) that the object has; a name it
 * lacks is left out, not an error. 1.x answers Attribute items, 2.x one Attributes structure.
 */
final class GetAttributesHandler implements OperationHandler {
    private final ObjectAccess access;

    GetAttributesHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.GET_ATTRIBUTES;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        KmipObject object = access.named(context, request);
        Map<String, List<Ttlv>> all = object.attributes();
        List<String> names = Attributes.requestedNames(request);
        Map<String, List<Ttlv>> chosen = new LinkedHashMap<>();
        if (names.isEmpty()) {
            chosen.putAll(all);
        } else {
            names.stream().filter(all::containsKey).forEach(name -> chosen.put(name, all.get(name)));
        }
        List<Ttlv> encoded = Attributes.encodeAll(chosen, context.version());
        List<Ttlv> answer = new ArrayList<>();
        answer.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.id().uid()));
        if (context.version().isTwoOrLater()) {
            answer.add(Ttlv.structure(Tag.ATTRIBUTES, encoded));
        } else {
            answer.addAll(encoded);
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }
}
