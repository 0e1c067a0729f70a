package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.ttlv.ItemType;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Locate: the tenant's KMIP objects that have every requested attribute value (Name, Object
 * Type, Cryptographic Algorithm and Length, State, custom attributes ...; two values of one date
 * attribute are a range, both ends included), keys oldest first, then
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
        Map<String, List<Ttlv>> wanted = Attributes.read(request.find(Tag.ATTRIBUTES).or(() -> Optional.of(
                Ttlv.structure(Tag.TEMPLATE_ATTRIBUTE, request.all(Tag.ATTRIBUTE)))));
        List<String> matches = new ArrayList<>();
        List<Managed> candidates = new ArrayList<>(objects.all(context));
        candidates.addAll(storedObjects.all(context));
        boolean destroyedToo = wanted.containsKey(Attributes.specName(Tag.STATE));
        Map<String, List<Ttlv>> stored = new LinkedHashMap<>(wanted);
        List<Ttlv> freshWanted = Optional.ofNullable(stored.remove(Attributes.specName(Tag.FRESH))).orElse(List.of());
        List<Ttlv> generatedWanted = Optional.ofNullable(stored.remove(KmipObject.GENERATED)).orElse(List.of());
        boolean versionWanted = !freshWanted.isEmpty() || !generatedWanted.isEmpty();
        for (Managed object : candidates) {
            if ((destroyedToo || !object.state().destroyed()) && matches(object.attributes(), stored)
                    && (!versionWanted || versionAsWanted(context, object, freshWanted, generatedWanted))) {
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

    /**
     * Fresh and {@code y-tresor-generated} are the core version's flags, not stored attributes:
     * only a key object has them.
     */
    private static boolean versionAsWanted(OperationContext context, Managed object, List<Ttlv> freshWanted,
                                           List<Ttlv> generatedWanted) {
        if (!(object instanceof KmipObject key)) {
            return false;
        }
        KeyVersion version = context.keys().getVersion(context.caller(), key.id().versionRef());
        return allAre(freshWanted, AttributeReport.fresh(key, version)) && allAre(generatedWanted, version.generated());
    }

    private static boolean allAre(List<Ttlv> wanted, boolean value) {
        return wanted.stream().allMatch(each -> each.asBoolean() == value);
    }

        private static boolean matches(Map<String, List<Ttlv>> have, Map<String, List<Ttlv>> wanted) {
        for (Map.Entry<String, List<Ttlv>> criterion : wanted.entrySet()) {
            List<Ttlv> values = have.getOrDefault(criterion.getKey(), List.of());
            if (!(isRange(criterion.getValue()) ? inRange(values, criterion.getValue())
                    : values.containsAll(criterion.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /** Two dates of one attribute ask for the dates between them, both included (spec 1.4 and 2.1, Locate). */
    private static boolean isRange(List<Ttlv> criterion) {
        return criterion.size() == 2 && criterion.stream().allMatch(v -> v.type() == ItemType.DATE_TIME);
    }

    private static boolean inRange(List<Ttlv> values, List<Ttlv> range) {
        Instant first = range.get(0).asDateTime();
        Instant second = range.get(1).asDateTime();
        Instant from = first.isBefore(second) ? first : second;
        Instant to = first.isBefore(second) ? second : first;
        return values.stream().filter(v -> v.type() == ItemType.DATE_TIME).map(Ttlv::asDateTime)
                .anyMatch(date -> !date.isBefore(from) && !date.isAfter(to));
    }
}
