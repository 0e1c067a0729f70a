package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.util.List;

/**
 * Protection Storage Mask (2.x): where the server keeps an object. Tresor
 * generates keys and keeps them in software (its sealed store), so a key it generated says
 * Software; a registered key has none, since where its material was before it came is unknown.
 * A Create or Create Key Pair whose Protection Storage Masks all leave software out cannot be
 * honoured: Protection Storage Unavailable.
 */
final class ProtectionStorage {
    static final String NAME = Attributes.specName(Tag.PROTECTION_STORAGE_MASK);
    private static final int SOFTWARE = 0x01;
    private static final List<Tag> REQUESTED = List.of(Tag.PROTECTION_STORAGE_MASKS,
            Tag.COMMON_PROTECTION_STORAGE_MASKS, Tag.PRIVATE_PROTECTION_STORAGE_MASKS,
            Tag.PUBLIC_PROTECTION_STORAGE_MASKS);

    private ProtectionStorage() {
    }

    /** The attribute value of a key the server generated. */
    static Ttlv software() {
        return Ttlv.integer(Tag.ATTRIBUTE_VALUE, SOFTWARE);
    }

    /** Refuses a creating request none of whose acceptable masks (in any of its Protection Storage Masks) allows software. */
    static void checkRequest(Ttlv request) {
        for (Tag field : REQUESTED) {
            request.find(field).ifPresent(masks -> {
                List<Ttlv> acceptable = masks.all(Tag.PROTECTION_STORAGE_MASK);
                if (!acceptable.isEmpty() && acceptable.stream().noneMatch(mask -> (mask.asInt() & SOFTWARE) != 0)) {
                    throw new KmipFailure(ResultReason.PROTECTION_STORAGE_UNAVAILABLE, "Tresor keeps keys in "
                            + "software storage, which no Protection Storage Mask of " + field.xmlName() + " allows");
                }
            });
        }
    }
}
