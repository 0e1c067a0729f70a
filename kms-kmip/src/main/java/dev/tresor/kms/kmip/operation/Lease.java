package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import java.time.Duration;
import java.util.Objects;

/**
 * The lease the server grants on its cryptographic objects (KMIP Lease Time, spec 1.4 section
 * 3.15, 2.1 section 4.26): how long a client may use an object it fetched before it must ask again
 * (Obtain Lease), so that a revocation reaches clients that cache keys. The server sets it; clients
 * neither set nor change it. Opaque objects are not cryptographic objects and carry none.
 */
public record Lease(Duration time) {
    /** One hour: long enough that caching clients rarely ask, short enough that a revocation reaches them the same hour. */
    public static final Lease DEFAULT = new Lease(Duration.ofHours(1));
    /** A KMIP Interval is an unsigned 32-bit count of seconds; Tresor keeps to the signed half. */
    public static final long MAX_SECONDS = Integer.MAX_VALUE;

    public Lease {
        Objects.requireNonNull(time);
        if (time.isNegative() || time.isZero() || time.toSeconds() > MAX_SECONDS || time.getNano() != 0) {
            throw new IllegalArgumentException("a lease is a whole number of seconds from 1 to " + MAX_SECONDS
                    + ", not " + time);
        }
    }

    /** Whether objects of this kind carry a lease: every key, secret data and certificate; not an opaque object. */
    static boolean applies(Managed object) {
        return !(object instanceof StoredObject stored && stored.kind() == StoredObject.Kind.OPAQUE_OBJECT);
    }

    /** The Lease Time value. */
    Ttlv value() {
        return Ttlv.interval(Tag.ATTRIBUTE_VALUE, time.toSeconds());
    }
}
