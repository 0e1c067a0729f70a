package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.AttributeReplacement;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.KeyState;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.TenantId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * KMIP objects kept in the core: keys of the tenant's key ring named {@code kmip} (created on
 * first use, visible over REST too), with each object's KMIP attributes in front-end attributes
 * of its key: the Base64 of their TTLV, cut into entries {@code kmip/<version>[p]/<n>} that fit
 * the core's bound on one attribute value.
 * Changes to one key's attributes are serialised here, since the core replaces them whole.
 */
final class KmipObjects {
    static final String RING = "kmip";
    private static final String PREFIX = "kmip/";
    /** The core's bound on one front-end attribute value, in characters. */
    private static final int CHUNK = 4096;
    /**
     * Stored attributes decoded, by their encoded text: every call on an object reads them, and
     * decoding is most of its cost. Bounded by emptying it when full, and by size: a text over
     * {@link #DECODED_MAX_CHARS} (an object's attributes may reach half a megabyte) is decoded
     * each time instead, so the cache stays within about {@code DECODED_MAX} × 8 KiB and change.
     */
    private static final Map<String, Map<String, List<Ttlv>>> DECODED = new ConcurrentHashMap<>();
    private static final int DECODED_MAX = 1024;
    private static final int DECODED_MAX_CHARS = 8192;

    private final ConcurrentMap<TenantId, String> rings = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[64];

    KmipObjects() {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    String ringId(OperationContext context) {
        return rings.computeIfAbsent(context.caller().tenant(), tenant -> context.keys().listKeyRings(context.caller())
                .stream().filter(r -> r.displayName().equals(RING)).map(KeyRing::id).findFirst()
                // Shared by every KMIP client of the instance and holding nothing of its own, the
                // ring stays when a batch that happened to create it is undone (as it is cached here).
                .orElseGet(() -> context.keys().createKeyRing(context.caller().withoutUndo(),
                        new CreateKeyRing(RING, Optional.of("objects created over KMIP"))).id()));
    }

    KmipObject load(OperationContext context, String uid) {
        ObjectId id = ObjectId.parse(uid);
        Key key = context.keys().getKey(context.caller(), id.key());
        return objectOf(key, id).map(o -> o.at(context.clock().instant()))
                .orElseThrow(() -> KmsError.notFound("object " + uid));
    }

    /** The object with its key's primary version looked up, for the calls that report attributes. */
    KmipObject withPrimary(OperationContext context, KmipObject object) {
        if (object.key().state() == KeyState.DELETED) {
            return object.withPrimaryVersion(0);
        }
        try {
            return object.withPrimaryVersion(
                    context.keys().getVersion(context.caller(), object.id().key().primary()).number());
        } catch (KmsError e) {
            if (e.code() == ErrorCode.FAILED_PRECONDITION) {
                return object.withPrimaryVersion(0);
            }
            throw e;
        }
    }

    /** Every KMIP object of the tenant's KMIP key ring, each knowing its key's primary version. */
    List<KmipObject> all(OperationContext context) {
        String ring = ringId(context);
        Map<String, Long> primaries = context.keys().primaryVersions(context.caller());
        List<KmipObject> objects = new ArrayList<>();
        for (Key key : context.keys().listAllKeys(context.caller())) {
            if (!key.keyRingId().equals(ring)) {
                continue;
            }
            long primary = primaries.getOrDefault(key.id(), 0L);
            key.attributes().keySet().stream().filter(name -> name.startsWith(PREFIX) && name.endsWith("/0")).sorted()
                    .forEach(name -> objectOf(key, idOf(key.id(),
                            name.substring(PREFIX.length(), name.length() - "/0".length())))
                            .map(o -> o.at(context.clock().instant()).withPrimaryVersion(primary))
                            .ifPresent(objects::add));
        }
        return objects;
    }

    /** Runs a read-modify-write of one key's KMIP attributes under that key's lock. */
    <T> T locked(String keyId, java.util.function.Supplier<T> change) {
        ReentrantLock lock = locks[Math.floorMod(keyId.hashCode(), locks.length)];
        lock.lock();
        try {
            return change.get();
        } finally {
            lock.unlock();
        }
    }

    /** Stores the object's attributes; the caller holds the key's lock and passes the freshest key. */
    KmipObject save(OperationContext context, KmipObject object) {
        return save(context, object, UnaryOperator.identity(), CoreSteps.NONE);
    }

    /**
     * Stores {@code change} of the object {@code read}; the caller holds the key's lock and read
     * the freshest key. The change is made inside the core's call, once the caller's role may
     * change the key, so that its own refusals (the object's lifecycle state) never hide a denial;
     * then {@code steps} says which lifecycle step, if any, the core makes of the object's key or
     * version in the same write.
     * A {@link KmipFailure} of anything made inside the core's call reaches the caller as itself
     * ({@link KmipRefusal}).
     */
    KmipObject save(OperationContext context, KmipObject read, UnaryOperator<KmipObject> change,
                    CoreSteps steps) {
        AtomicReference<KmipObject> saved = new AtomicReference<>();
        // Compare-and-set: an edit that read the key before another call (or an undo) changed it
        // must not write the old attributes back.
        Key updated = KmipRefusal.carriedOut(() -> {
            KmipObject changed = change.apply(read).with(Tag.LAST_CHANGE_DATE, lastChangeNow(context));
            saved.set(changed);
            Map<String, String> all = new LinkedHashMap<>(changed.key().attributes());
            String prefix = PREFIX + suffix(changed.id()) + "/";
            all.keySet().removeIf(name -> name.startsWith(prefix));
            all.putAll(encode(changed.id().version(), changed.id().isPublic(), changed.stored()));
            return new AttributeReplacement(all, ObjectAccess.corePeriod(changed.key().type(), changed.stored()),
                    steps.chosen().apply(changed));
        }, replacement -> context.keys().replaceAttributes(context.caller(), read.id().key(), read.key().attributes(),
                read.id().version(), steps.possible(), replacement));
        KmipObject changed = saved.get();
        return new KmipObject(changed.id(), updated, changed.stored(), changed.primaryVersion());
    }

    /**
     * The key-attribute entry for an object's stored KMIP attributes (used at create time too):
     * one entry per object, a TTLV structure of {@code Attribute{Name, Value}} in order.
     */
    static Map<String, String> encode(long version, boolean isPublic, Map<String, List<Ttlv>> stored) {
        List<Ttlv> items = new ArrayList<>();
        stored.forEach((name, values) -> values.forEach(value -> items.add(Ttlv.structure(Tag.ATTRIBUTE,
                Ttlv.text(Tag.ATTRIBUTE_NAME, name), Attributes.retag(value, Tag.ATTRIBUTE_VALUE.code())))));
        String encoded = Base64.getEncoder().encodeToString(TtlvWriter.write(Ttlv.structure(Tag.ATTRIBUTES, items)));
        Map<String, String> chunks = new LinkedHashMap<>();
        for (int start = 0, n = 0; start < encoded.length() || n == 0; start += CHUNK, n++) {
            chunks.put(PREFIX + version + (isPublic ? "p" : "") + "/" + n,
                    encoded.substring(start, Math.min(encoded.length(), start + CHUNK)));
        }
        return chunks;
    }

    /** Another object of the same core key (the other half of a pair), read from the key already loaded. */
    static Optional<KmipObject> sibling(KmipObject object, ObjectId other) {
        return objectOf(object.key(), other);
    }

    private static Optional<KmipObject> objectOf(Key key, ObjectId id) {
        return decode(key.attributes(), id.version(), id.isPublic()).map(stored -> new KmipObject(id, key, stored));
    }

    /**
     * The stored KMIP attributes {@link #encode} wrote into core attributes, if there are any;
     * unmodifiable. Decoded once per distinct text: any change to them is a new text.
     */
    static Optional<Map<String, List<Ttlv>>> decode(Map<String, String> attributes, long version, boolean isPublic) {
        String prefix = PREFIX + version + (isPublic ? "p" : "") + "/";
        String first = attributes.get(prefix + 0);
        if (first == null) {
            return Optional.empty();
        }
        String encoded = first;
        if (attributes.containsKey(prefix + 1)) {
            StringBuilder joined = new StringBuilder(first);
            for (int n = 1; attributes.containsKey(prefix + n); n++) {
                joined.append(attributes.get(prefix + n));
            }
            encoded = joined.toString();
        }
        if (encoded.length() > DECODED_MAX_CHARS) {
            return Optional.of(parse(encoded));
        }
        Map<String, List<Ttlv>> stored = DECODED.get(encoded);
        if (stored == null) {
            stored = parse(encoded);
            if (DECODED.size() >= DECODED_MAX) {
                DECODED.clear();
            }
            DECODED.put(encoded, stored);
        }
        return Optional.of(stored);
    }

    private static Map<String, List<Ttlv>> parse(String encoded) {
        Map<String, List<Ttlv>> stored = new LinkedHashMap<>();
        for (Ttlv attribute : TtlvReader.read(Base64.getDecoder().decode(encoded), TtlvLimits.DEFAULT).items()) {
            stored.computeIfAbsent(attribute.require(Tag.ATTRIBUTE_NAME).asText(), n -> new ArrayList<>())
                    .add(attribute.require(Tag.ATTRIBUTE_VALUE));
        }
        stored.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(stored);
    }

    /** The Last Change Date every saved change sets: now, to the second. */
    static Ttlv lastChangeNow(OperationContext context) {
        return Ttlv.dateTime(Tag.LAST_CHANGE_DATE,
                context.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    private static String suffix(ObjectId id) {
        return id.version() + (id.isPublic() ? "p" : "");
    }

    private static ObjectId idOf(String keyId, String suffix) {
        boolean publicHalf = suffix.endsWith("p");
        return new ObjectId(keyId, Long.parseLong(publicHalf ? suffix.substring(0, suffix.length() - 1) : suffix),
                publicHalf);
    }
}
