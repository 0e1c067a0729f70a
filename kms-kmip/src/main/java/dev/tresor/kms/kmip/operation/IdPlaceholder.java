package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import java.util.Optional;

/**
 * The ID Placeholder of one batch (spec 1.4 section 6.17): the identifier the last creating or
 * locating item produced, used by a later item that names no object. It never outlives its batch.
 */
public final class IdPlaceholder {
    private String value;

    public void set(String uniqueIdentifier) {
        value = uniqueIdentifier;
    }

    public Optional<String> value() {
        return Optional.ofNullable(value);
    }

    public String require() {
        if (value == null) {
            throw new KmipFailure(ResultReason.MISSING_DATA, "no Unique Identifier given and no ID Placeholder set in this batch");
        }
        return value;
    }
}
