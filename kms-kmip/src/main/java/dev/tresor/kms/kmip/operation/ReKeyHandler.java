package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.service.KmsError;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ReKey: the core rotates the key, and its new version is the replacement object, with the old
 * object's client attributes, the Random Number Generator that made it and Replaced/Replacement
 * Object Links both ways. Its dates follow spec 1.4 section 4.4: without an Offset, the Activation,
 * Process Start, Protect Stop and Deactivation Dates are the old object's; with one, the
 * Activation Date is the Initial Date plus the Offset and the other three move by as much as the
 * Activation Date moved, so their distances from it stay. The replacement is Active at once: the
 * core makes the new version the key's current one for every front-end, so a ReKey whose
 * replacement would be activated later is refused ({@link #dates}). The request's type and dates
 * are judged inside the core's rotation, after its own refusals: a caller who may not rotate the
 * key (its role, or a registered key, which is import-only) is denied before any of its input is
 * judged, and the audit names the refused {@code key.rotate}.
 */
final class ReKeyHandler implements OperationHandler {
    private static final int REPLACEMENT_OBJECT_LINK = 0x106;
    private static final int REPLACED_OBJECT_LINK = 0x107;
    /** The dates the replacement takes from the old object, moved with its Activation Date when an Offset is given. */
    private static final List<Tag> SHIFTED = List.of(Tag.PROCESS_START_DATE, Tag.PROTECT_STOP_DATE,
            Tag.DEACTIVATION_DATE);

    private final ObjectAccess access;

    ReKeyHandler(ObjectAccess access) {
        this.access = access;
    }

    @Override
    public Operation operation() {
        return Operation.REKEY;
    }

    @Override
    public Ttlv handle(OperationContext context, Ttlv request) {
        KmipObject named = access.named(context, request);
        Optional<Duration> offset = request.find(Tag.OFFSET).map(o -> Duration.ofSeconds(o.asInterval()));
        // Under the key's KMIP lock from the read of the old dates to the replacement's save, so
        // the dates the rotation writes into the core are the ones its attributes then carry.
        ObjectId replacement = access.objects().locked(named.id().keyId(), () -> {
            KmipObject old = access.objects().load(context, named.id().uid());
            Instant now = context.clock().instant().truncatedTo(ChronoUnit.SECONDS);
            Map<String, List<Ttlv>> attributes = new LinkedHashMap<>(old.stored());
            attributes.keySet().removeIf(name -> !AttributeEdits.carriesOver(name));
            // Judged by the core only once it would rotate, so that its refusals (role, key state,
            // import-only) win; the replacement's dates bind the new version from the rotation's own write.
            KeyVersion next = context.keys().rotateKey(context.caller(), old.id().key(), () -> {
                if (old.type() != ObjectType.SYMMETRIC_KEY) {
                    throw KmsError.invalid("ReKey renews symmetric keys");
                }
                attributes.putAll(dates(old.stored(), now, offset));
                return ObjectAccess.corePeriod(old.key().type(), attributes);
            });
            ObjectId made = new ObjectId(old.id().keyId(), next.number(), false);
            KmipObject current = access.objects().load(context, old.id().uid());
            KmipObject fresh = new KmipObject(made, current.key(), attributes)
                    .withState(ObjectState.ACTIVE)
                    .with(Tag.INITIAL_DATE, Ttlv.dateTime(Tag.INITIAL_DATE, now))
                    .with(Tag.ORIGINAL_CREATION_DATE, Ttlv.dateTime(Tag.ORIGINAL_CREATION_DATE, now))
                    .with(Tag.RANDOM_NUMBER_GENERATOR, GeneratorAttribute.of(context.keys().keyGenerator()))
                    .with(Tag.PROTECTION_STORAGE_MASK, ProtectionStorage.software());
            fresh = fresh.with(Attributes.specName(Tag.LINK), links(fresh, REPLACED_OBJECT_LINK, old.id()));
            KmipObject saved = access.objects().save(context, fresh);
            KmipObject oldLinked = new KmipObject(current.id(), saved.key(), current.stored());
            access.objects().save(context, oldLinked.with(Attributes.specName(Tag.LINK),
                    links(oldLinked, REPLACEMENT_OBJECT_LINK, made)));
            return made;
        });
        context.placeholder().set(replacement.uid());
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, replacement.uid()));
    }

    /**
     * The replacement's Activation, Process Start, Protect Stop and Deactivation Dates (spec 1.4
     * section 4.4, "Computing New Dates from Offset during Re-key"), from the old object's; the
     * Initial Date is {@code now}. A date the old object lacks stays absent. An old object without
     * an Activation Date gives nothing to copy or move the others by: without an Offset its
     * replacement is activated at once, as Tresor's ReKey always did. Two deviations keep the
     * replacement Active, as the core's new version is: a replacement whose Activation Date would
     * be in the future is refused before the rotation, and a Deactivation Date that is
     * already past (the old object was revoked) is not carried over.
     */
    private static Map<String, List<Ttlv>> dates(Map<String, List<Ttlv>> old, Instant now, Optional<Duration> offset) {
        Optional<Instant> activation = Attributes.first(old, Tag.ACTIVATION_DATE).map(Ttlv::asDateTime);
        Instant newActivation = offset.map(now::plus).or(() -> activation).orElse(now);
        if (newActivation.isAfter(now)) {
            throw KmsError.notOffered("the replacement's Activation Date would be "
                    + newActivation + ", after now; a replacement that is not active at once is not offered: it would"
                    + " be the key's current version for every front-end");
        }
        Duration moved = activation.map(date -> Duration.between(date, newActivation)).orElse(Duration.ZERO);
        Map<String, List<Ttlv>> dates = new LinkedHashMap<>();
        dates.put(Attributes.specName(Tag.ACTIVATION_DATE), List.of(Ttlv.dateTime(Tag.ATTRIBUTE_VALUE, newActivation)));
        for (Tag tag : SHIFTED) {
            Attributes.first(old, tag).map(date -> moved(tag, date.asDateTime(), moved))
                    .filter(date -> tag != Tag.DEACTIVATION_DATE || date.isAfter(now))
                    .ifPresent(date -> dates.put(Attributes.specName(tag),
                            List.of(Ttlv.dateTime(Tag.ATTRIBUTE_VALUE, date))));
        }
        return dates;
    }

    private static Instant moved(Tag tag, Instant date, Duration by) {
        try {
            return date.plus(by);
        } catch (DateTimeException | ArithmeticException e) {
            throw KmsError.invalid("the " + Attributes.specName(tag) + " " + date
                    + " cannot be moved by " + by.toSeconds() + " seconds, as the Offset asks");
        }
    }

    private static List<Ttlv> links(KmipObject object, int type, ObjectId target) {
        List<Ttlv> links = new ArrayList<>(object.stored().getOrDefault(Attributes.specName(Tag.LINK), List.of()));
        links.add(Ttlv.structure(Tag.ATTRIBUTE_VALUE,
                Ttlv.enumeration(Tag.LINK_TYPE, type),
                Ttlv.text(Tag.LINKED_OBJECT_IDENTIFIER, target.uid())));
        return links;
    }
}
