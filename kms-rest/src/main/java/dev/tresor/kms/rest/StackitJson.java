package dev.tresor.kms.rest;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.WrappingKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The STACKIT wire objects: exactly the members of the spec's schemas, every required one always
 * present, optional ones omitted when unset. Times are RFC 3339 in UTC.
 */
final class StackitJson {
    /** Key rings have no lifecycle in Tresor: a ring that can be read is active. */
    private static final String KEY_RING_ACTIVE = "active";

    private StackitJson() {
    }

    static JsonObject keyRing(KeyRing ring) {
        JsonObject json = new JsonObject()
                .put("id", ring.id())
                .put("displayName", ring.displayName());
        ring.description().ifPresent(d -> json.put("description", d));
        return json
                .put("state", KEY_RING_ACTIVE)
                .put("createdAt", time(ring.createdAt()));
    }

    static JsonObject key(Key key) {
        JsonObject json = new JsonObject()
                .put("id", key.id())
                .put("displayName", key.displayName());
        key.description().ifPresent(d -> json.put("description", d));
        json.put("state", key.state().wireName())
                .put("createdAt", time(key.createdAt()));
        key.deletionDate().ifPresent(d -> json.put("deletionDate", time(d)));
        return json
                .put("importOnly", key.importOnly())
                .put("keyRingId", key.keyRingId())
                .put("protection", key.protection())
                .put("purpose", key.purpose().wireName())
                .put("algorithm", algorithm(key))
                .put("access_scope", key.accessScope().name());
    }

    static JsonObject version(KeyVersion version) {
        JsonObject json = new JsonObject()
                .put("number", version.number())
                .put("keyId", version.keyId())
                .put("keyRingId", version.keyRingId())
                .put("state", version.state().wireName())
                .put("createdAt", time(version.createdAt()))
                .put("disabled", version.disabled());
        version.destroyDate().ifPresent(d -> json.put("destroyDate", time(d)));
        version.publicKeyPem().ifPresent(pem -> json.put("publicKey", pem));
        return json;
    }

    /** A wrapping key as of {@code now}: its state is derived from the clock (expired after {@code expiresAt}). */
    static JsonObject wrappingKey(WrappingKey key, Instant now) {
        JsonObject json = new JsonObject()
                .put("id", key.id())
                .put("displayName", key.displayName());
        key.description().ifPresent(d -> json.put("description", d));
        return json
                .put("state", key.stateAt(now).wireName())
                .put("createdAt", time(key.createdAt()))
                .put("expiresAt", time(key.expiresAt()))
                .put("keyRingId", key.keyRingId())
                .put("protection", key.protection())
                .put("purpose", key.purpose().wireName())
                .put("algorithm", key.algorithm().wireName())
                .put("access_scope", key.accessScope().name())
                .put("publicKey", key.publicKeyPem());
    }

    static <T> JsonArray array(List<T> items, Function<T, JsonObject> representation) {
        JsonArray array = new JsonArray();
        items.forEach(item -> array.add(representation.apply(item)));
        return array;
    }

    static String time(Instant instant) {
        return instant.toString();
    }

    /**
     * The algorithm of a REST key, or for a key made over KMIP (type and usages only) the REST
     * value that performs the same operations. Every RSA, EC and HMAC type has one; AES-128/192,
     * which no REST value covers, are named {@code aes_128_gcm} / {@code aes_192_gcm}, and the
     * ChaCha20 types {@code chacha20} / {@code chacha20_poly1305}.
     */
    static String algorithm(Key key) {
        if (key.algorithm().isPresent()) {
            return key.algorithm().get().wireName();
        }
        KeyType type = key.type();
        return Arrays.stream(Algorithm.values())
                .filter(a -> a.keyType() == type && a.purpose() == key.purpose())
                .findFirst()
                .map(Algorithm::wireName)
                .orElseGet(() -> type.family() == KeyType.Family.AES ? "aes_" + type.bits() + "_gcm"
                        : type.name().toLowerCase(java.util.Locale.ROOT));
    }
}
