package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ReKey: the core rotates the key, and its new version is the replacement object, Active at
 * once, with the old object's client attributes, the Random Number Generator that made it and
 * Replaced/Replacement Object Links both ways.
 */
final class ReKeyHandler implements OperationHandler {
    private static final int REPLACEMENT_OBJECT_LINK = 0x106;
    private static final int REPLACED_OBJECT_LINK = 0x107;

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
        KmipObject old = access.named(context, request);
        if (old.type() != ObjectType.SYMMETRIC_KEY) {
            throw new KmipFailure(ResultReason.INVALID_FIELD, "ReKey renews symmetric keys");
        }
        // the carried-over dates bind the new version from the rotation's own write on
        KeyVersion next = context.keys().rotateKey(context.caller(), old.id().key(),
                ObjectAccess.usePeriod(old.stored()));
        ObjectId replacement = new ObjectId(old.id().keyId(), next.number(), false);
        Instant now = context.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        access.objects().locked(old.id().keyId(), () -> {
            KmipObject current = access.objects().load(context, old.id().uid());
            Map<String, List<Ttlv>> copied = new LinkedHashMap<>(current.stored());
            copied.keySet().removeIf(name -> !AttributeEdits.carriesOver(name));
            KmipObject fresh = new KmipObject(replacement, current.key(), copied)
                    .withState(ObjectState.ACTIVE)
                    .with(Tag.INITIAL_DATE, Ttlv.dateTime(Tag.INITIAL_DATE, now))
                    .with(Tag.ORIGINAL_CREATION_DATE, Ttlv.dateTime(Tag.ORIGINAL_CREATION_DATE, now))
                    .with(Tag.ACTIVATION_DATE, Ttlv.dateTime(Tag.ACTIVATION_DATE, now))
                    .with(Tag.RANDOM_NUMBER_GENERATOR, GeneratorAttribute.of(context.keys().keyGenerator()))
                    .with(Tag.PROTECTION_STORAGE_MASK, ProtectionStorage.software());
            fresh = fresh.with(Attributes.specName(Tag.LINK), links(fresh, REPLACED_OBJECT_LINK, old.id()));
            KmipObject saved = access.objects().save(context, fresh);
            KmipObject oldLinked = new KmipObject(current.id(), saved.key(), current.stored());
            return access.objects().save(context, oldLinked.with(Attributes.specName(Tag.LINK),
                    links(oldLinked, REPLACEMENT_OBJECT_LINK, replacement)));
        });
        context.placeholder().set(replacement.uid());
        return Ttlv.structure(Tag.RESPONSE_PAYLOAD, Ttlv.text(Tag.UNIQUE_IDENTIFIER, replacement.uid()));
    }

    private static List<Ttlv> links(KmipObject object, int type, ObjectId target) {
        List<Ttlv> links = new ArrayList<>(object.stored().getOrDefault(Attributes.specName(Tag.LINK), List.of()));
        links.add(Ttlv.structure(Tag.ATTRIBUTE_VALUE,
                Ttlv.enumeration(Tag.LINK_TYPE, type),
                Ttlv.text(Tag.LINKED_OBJECT_IDENTIFIER, target.uid())));
        return links;
    }
}
