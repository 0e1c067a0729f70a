package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Locate: the tenant's KMIP objects that have every requested attribute value (Name, Object
 * Type, Cryptographic Algorithm and Length, State, custom attributes ...), keys oldest first, then
 * stored objects (secret data, opaque objects, certificates, lone public keys) oldest first, after
 * Offset Items and at most Maximum Items; a paged answer (1.3+) says how many matched in all.
 * Destroyed objects (kept until the core purges them) are left out unless the request names a State.
 * The first match becomes the ID Placeholder.
 */
final class LocateHandler implements OperationHandler {
    private final KmipObjects objects;
    private final StoredObjects storedObjects;

    LocateHandler(KmipObjects objects, StoredObjects storedObjects) {
        this.objects = objects;
        this.storedObjects = storedObjects;
    }

    @Override
    public Operation operation() {
        return Operation.LOCATE;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        Map<String, List<Ttlv>> wanted = Attributes.read(request.find(Tag.ATTRIBUTES).or(() -> java.util.Optional.of(
                Ttlv.structure(Tag.TEMPLATE_ATTRIBUTE, request.all(Tag.ATTRIBUTE)))));
        List<String> matches = new ArrayList<>();
        List<Managed> candidates = new ArrayList<>(objects.all(context));
        candidates.addAll(storedObjects.all(context));
        boolean destroyedToo = wanted.containsKey(Attributes.specName(Tag.STATE));
        for (Managed object : candidates) {
            if ((destroyedToo || !object.state().destroyed()) && matches(object.attributes(), wanted)) {
                matches.add(object.uid());
            }
        }
        int offset = request.find(Tag.OFFSET_ITEMS).map(Ttlv::asInt).orElse(0);
        int maximum = request.find(Tag.MAXIMUM_ITEMS).map(Ttlv::asInt).orElse(Integer.MAX_VALUE);
        List<String> page = matches.subList(Math.min(offset, matches.size()),
                (int) Math.min(matches.size(), (long) Math.min(offset, matches.size()) + maximum));
        page.stream().findFirst().ifPresent(context.placeholder()::set);
        List<Ttlv> answer = new ArrayList<>();
        boolean paged = request.find(Tag.OFFSET_ITEMS).isPresent() || request.find(Tag.MAXIMUM_ITEMS).isPresent();
        if (paged && context.version().atLeast(ProtocolVersion.V1_3)) {
            answer.add(Ttlv.integer(Tag.LOCATED_ITEMS, matches.size()));
        }
        page.forEach(uid -> answer.add(Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid)));
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, answer);
    }

    private static boolean matches(Map<String, List<Ttlv>> have, Map<String, List<Ttlv>> wanted) {
        for (Map.Entry<String, List<Ttlv>> criterion : wanted.entrySet()) {
            List<Ttlv> values = have.getOrDefault(criterion.getKey(), List.of());
            if (!values.containsAll(criterion.getValue())) {
                return false;
            }
        }
        return true;
    }
}
