package dev.tresor.kms.key;

import dev.tresor.kms.service.KmsError;
import java.util.Locale;
import java.util.Objects;

/**
 * A cap on how much a key may protect (KMIP Usage Limits, spec 1.4 section 3.21): a total of
 * bytes, or of objects (one per call), and how much of it remains. Only protecting uses count
 * (encrypt, sign, MAC); a call that needs more than remains is refused before any work.
 */
public record UsageLimit(Unit unit, long total, long remaining) {
    /** What a limit counts. */
    public enum Unit { BYTE, OBJECT }

    public UsageLimit {
        Objects.requireNonNull(unit);
        if (total <= 0 || remaining < 0 || remaining > total) {
            throw KmsError.invalid("a usage limit needs a total above 0 and 0 to total remaining, not " + remaining
                    + " of " + total);
        }
    }

    /** A fresh limit: all of {@code total} remains. */
    public static UsageLimit of(Unit unit, long total) {
        return new UsageLimit(unit, total, total);
    }

    /**
     * The limit after a use of {@code bytes} of data by key {@code keyId}.
     *
     * @throws KmsError PERMISSION_DENIED when the use needs more than remains
     */
    UsageLimit after(String keyId, long bytes) {
        long cost = unit == Unit.BYTE ? bytes : 1;
        if (cost > remaining) {
            String units = unit.name().toLowerCase(Locale.ROOT) + "s";
            throw KmsError.denied("key " + keyId + " has reached its usage limit: " + remaining + " of " + total + " "
                    + units + " remain, this call needs " + cost);
        }
        return new UsageLimit(unit, total, remaining - cost);
    }
}
