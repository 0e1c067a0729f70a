package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Get Attributes: the named attributes in the order named, or all the report lists (all but Tresor's
 * own {@code y-…} ones) in its order when none are named; a name the object lacks is left out, not
 * an error. 1.x answers Attribute items, 2.x one Attributes structure.
 */
final class GetAttributesHandler implements OperationHandler {
    private final ObjectAccess access;
    private final AttributeReport report;

    GetAttributesHandler(ObjectAccess access, AttributeReport report) {
        this.access = access;
        this.report = report;
    }

    @Override
    public Operation operation() {
        return Operation.GET_ATTRIBUTES;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Managed object = access.described(context, request);
        List<String> names = Attributes.requestedNames(request);
        boolean versionWanted = names.isEmpty() || names.contains(Attributes.specName(Tag.DIGEST))
                || names.contains(Attributes.specName(Tag.FRESH)) || names.contains(KmipObject.GENERATED);
        Map<String, List<Ttlv>> chosen = new LinkedHashMap<>();
        if (names.isEmpty()) {
            chosen.putAll(report.listed(context, object, versionWanted));
        } else {
            Map<String, List<Ttlv>> all = report.of(context, object, versionWanted);
            names.stream().filter(all::containsKey).forEach(name -> chosen.put(name, all.get(name)));
        }
        List<Ttlv> encoded = Attributes.encodeAll(chosen, context.version());
        List<Ttlv> answer = new ArrayList<>();
        answer.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, object.uid()));
        if (context.version().isTwoOrLater()) {
            answer.add(Ttlv.structure(Tag.ATTRIBUTES, encoded));
        } else {
            answer.addAll(encoded);
        }
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }
}
