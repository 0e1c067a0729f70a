package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A KMIP managed object of either kind: a core key version ({@link KmipObject}) or a stored
 * object that is not a usable key ({@link StoredObject}: secret data, opaque object, certificate,
 * lone public key). What the attribute and lifecycle operations need from both.
 */
sealed interface Managed permits KmipObject, StoredObject {
    String uid();

    ObjectState state();

    /** The KMIP attributes kept for the object, in the order they were set. */
    Map<String, List<Ttlv>> stored();

    /** Every attribute: the derived ones and the stored ones. */
    Map<String, List<Ttlv>> attributes();

    Managed with(String name, List<Ttlv> values);

    Managed with(Tag attribute, Ttlv value);

    Managed withState(ObjectState state);

    /** {@code stored} with the attribute's values replaced ({@code values} empty: removed). */
    static Map<String, List<Ttlv>> replaced(Map<String, List<Ttlv>> stored, String name, List<Ttlv> values) {
        Map<String, List<Ttlv>> changed = new LinkedHashMap<>(stored);
        if (values.isEmpty()) {
            changed.remove(name);
        } else {
            changed.put(name, List.copyOf(values));
        }
        return changed;
    }

    /**
     * Sensitive, Always Sensitive, Extractable and Never Extractable (1.4+), from whether the value
     * may leave in plain now ({@code leaves}) and whether it never could ({@code neverLeft}). Tresor
     * wraps nothing on Get, so a value that does not leave is both Sensitive and not Extractable.
     */
    static void putExposure(Map<String, List<Ttlv>> attributes, boolean leaves, boolean neverLeft) {
        attributes.put(Attributes.specName(Tag.SENSITIVE), List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, !leaves)));
        attributes.put(Attributes.specName(Tag.ALWAYS_SENSITIVE), List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, neverLeft)));
        attributes.put(Attributes.specName(Tag.EXTRACTABLE), List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, leaves)));
        attributes.put(Attributes.specName(Tag.NEVER_EXTRACTABLE), List.of(Ttlv.bool(Tag.ATTRIBUTE_VALUE, neverLeft)));
    }

    /** The names {@link #putExposure} sets: derived from the core's flags, never stored or changed by a client. */
    static List<String> exposureNames() {
        return List.of(Attributes.specName(Tag.SENSITIVE), Attributes.specName(Tag.ALWAYS_SENSITIVE),
                Attributes.specName(Tag.EXTRACTABLE), Attributes.specName(Tag.NEVER_EXTRACTABLE));
    }

    /** The stored State, Active when none is kept. */
    static ObjectState storedState(Map<String, List<Ttlv>> stored) {
        int code = Attributes.first(stored, Tag.STATE).map(Ttlv::asEnum).orElse(ObjectState.ACTIVE.code());
        for (ObjectState state : ObjectState.values()) {
            if (state.code() == code) {
                return state;
            }
        }
        return ObjectState.ACTIVE;
    }

    /** A Pre-Active object whose Activation Date has come is Active (spec 1.4 section 3.24), unasked. */
    static boolean activationDue(Managed object, Instant now) {
        return object.state() == ObjectState.PRE_ACTIVE && Attributes.first(object.stored(), Tag.ACTIVATION_DATE)
                .map(d -> !d.asDateTime().isAfter(now)).orElse(false);
    }
}
