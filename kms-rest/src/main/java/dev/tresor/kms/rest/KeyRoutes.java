package dev.tresor.kms.rest;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key.AccessScope;
import dev.tresor.kms.key.Purpose;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** ListKeys, CreateKey, GetKey, DeleteKey, ImportKey, RestoreKey, RotateKey. */
final class KeyRoutes {
    /** Tresor protects key material in software; it does not pretend to be an HSM. */
    static final String PROTECTION = "software";
    /** Generous for any wrapped private key (an RSA-4096 PKCS#8 under AES-KWP plus RSA-OAEP is about 3 KiB). */
    private static final int MAX_WRAPPED_KEY_BYTES = 16 * 1024;

    private final KeyManagement keys;
    private final TenantCalls calls;

    KeyRoutes(KeyManagement keys, TenantCalls calls) {
        this.keys = keys;
        this.calls = calls;
    }

    void mount(Router router) {
        calls.guard(router.get(Paths.KEYS)).handler(this::list);
        calls.guard(router.post(Paths.KEYS)).handler(this::create);
        calls.guard(router.get(Paths.KEY)).handler(this::get);
        calls.guard(router.delete(Paths.KEY)).handler(this::delete);
        calls.guard(router.post(Paths.KEY + "/import")).handler(this::importKey);
        calls.guard(router.post(Paths.KEY + "/restore")).handler(this::restore);
        calls.guard(router.post(Paths.KEY + "/rotate")).handler(this::rotate);
    }

    static KeyRef keyRef(RoutingContext ctx) {
        return KeyRef.of(PathParams.uuid(ctx, "keyRingId"), PathParams.uuid(ctx, "keyId"));
    }

    /** The {@code protection} member of create payloads: required, and only {@code software} exists here. */
    static String protection(JsonBody body) {
        String protection = body.string("protection");
        if (!PROTECTION.equals(protection)) {
            throw KmsError.invalid("field 'protection' must be 'software' (this server has no HSM)");
        }
        return protection;
    }

    static AccessScope accessScope(JsonBody body) {
        return body.optionalEnum("access_scope", AccessScope.values(), AccessScope::name).orElse(AccessScope.PUBLIC);
    }

    private void list(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        calls.run(ctx, caller -> keys.listKeys(caller, keyRingId), list -> Replies.json(ctx, 200,
                new JsonObject().put("keys", StackitJson.array(list, StackitJson::key))));
    }

    private void create(RoutingContext ctx) {
        CreateKey request = createRequest(PathParams.uuid(ctx, "keyRingId"), JsonBody.of(ctx));
        calls.generate(ctx, caller -> keys.createKey(caller, request),
                key -> Replies.json(ctx, 202, StackitJson.key(key)));
    }

    /** The STACKIT CreateKey body (also read by Tresor's releasable-key extension). */
    static CreateKey createRequest(String keyRingId, JsonBody body) {
        String displayName = body.displayName();
        Optional<String> description = body.description();
        Algorithm algorithm = body.enumValue("algorithm", Algorithm.values(), Algorithm::wireName);
        Purpose purpose = body.enumValue("purpose", Purpose.values(), Purpose::wireName);
        if (algorithm.purpose() != purpose) {
            throw KmsError.invalid("field 'algorithm' " + algorithm.wireName() + " needs purpose "
                    + algorithm.purpose().wireName() + ", not " + purpose.wireName());
        }
        return CreateKey.rest(keyRingId, displayName, description, algorithm, protection(body),
                accessScope(body), body.optionalBoolean("importOnly", false));
    }

    private void get(RoutingContext ctx) {
        KeyRef ref = keyRef(ctx);
        calls.run(ctx, caller -> keys.getKey(caller, ref), key -> Replies.json(ctx, 200, StackitJson.key(key)));
    }

    /** 202 without a body: the deletion is scheduled (the key stays readable until its deletionDate). */
    private void delete(RoutingContext ctx) {
        KeyRef ref = keyRef(ctx);
        calls.runEmpty(ctx, caller -> keys.deleteKey(caller, ref), 202);
    }

    private void importKey(RoutingContext ctx) {
        KeyRef ref = keyRef(ctx);
        JsonBody body = JsonBody.of(ctx);
        String wrappingKeyId = body.uuid("wrappingKeyId");
        Bytes wrappedKey = body.base64("wrappedKey", MAX_WRAPPED_KEY_BYTES);
        calls.run(ctx, caller -> {
            try {
                return keys.importKey(caller, ref, wrappingKeyId, wrappedKey);
            } finally {
                wrappedKey.zero();
            }
        }, version -> Replies.json(ctx, 202, StackitJson.version(version)));
    }

    private void restore(RoutingContext ctx) {
        KeyRef ref = keyRef(ctx);
        calls.runEmpty(ctx, caller -> keys.restoreKey(caller, ref), 204);
    }

    private void rotate(RoutingContext ctx) {
        KeyRef ref = keyRef(ctx);
        calls.generate(ctx, caller -> keys.rotateKey(caller, ref),
                version -> Replies.json(ctx, 202, StackitJson.version(version)));
    }
}
