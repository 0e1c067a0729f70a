package dev.tresor.kms.rest;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.SignRequest;
import dev.tresor.kms.service.VersionRef;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Encrypt, Decrypt, Sign, Verify on the version named in the URL. AES answers the Tresor
 * ciphertext format, whose header must name that same version on decrypt; RSA-OAEP ciphertexts
 * are raw. Plaintexts and messages are at most 64 KiB after base64 decoding; a ciphertext may be
 * larger by the format's overhead, bounded by the body limit.
 */
final class CryptoRoutes {
    private final KeyManagement keys;
    private final TenantCalls calls;
    private final int maxCiphertextBytes;

    CryptoRoutes(KeyManagement keys, TenantCalls calls, int bodyLimit) {
        this.keys = keys;
        this.calls = calls;
        this.maxCiphertextBytes = bodyLimit;
    }

    void mount(Router router) {
        calls.guard(router.post(Paths.VERSION + "/encrypt")).handler(this::encrypt);
        calls.guard(router.post(Paths.VERSION + "/decrypt")).handler(this::decrypt);
        calls.guard(router.post(Paths.VERSION + "/sign")).handler(this::sign);
        calls.guard(router.post(Paths.VERSION + "/verify")).handler(this::verify);
    }

    private void encrypt(RoutingContext ctx) {
        VersionRef ref = VersionRoutes.versionRef(ctx);
        Bytes plaintext = JsonBody.of(ctx).base64("data", JsonBody.MAX_DATA_BYTES);
        calls.run(ctx, caller -> {
            try {
                return keys.encrypt(caller, EncryptRequest.envelope(ref, plaintext));
            } finally {
                plaintext.zero();
            }
        }, encrypted -> Replies.json(ctx, 200, new JsonObject().put("data", encrypted.data().toBase64())));
    }

    private void decrypt(RoutingContext ctx) {
        VersionRef ref = VersionRoutes.versionRef(ctx);
        Bytes ciphertext = JsonBody.of(ctx).base64("data", maxCiphertextBytes);
        calls.run(ctx, caller -> keys.decrypt(caller, DecryptRequest.envelope(ref, ciphertext)), plaintext -> {
            String encoded = plaintext.toBase64();
            plaintext.zero();
            Replies.json(ctx, 200, new JsonObject().put("data", encoded));
        });
    }

    private void sign(RoutingContext ctx) {
        VersionRef ref = VersionRoutes.versionRef(ctx);
        Bytes message = JsonBody.of(ctx).base64("data", JsonBody.MAX_DATA_BYTES);
        calls.run(ctx, caller -> keys.sign(caller, SignRequest.message(ref, message)),
                signature -> Replies.json(ctx, 200, new JsonObject()
                        .put("data", message.toBase64())
                        .put("signature", signature.toBase64())));
    }

    private void verify(RoutingContext ctx) {
        VersionRef ref = VersionRoutes.versionRef(ctx);
        JsonBody body = JsonBody.of(ctx);
        Bytes message = body.base64("data", JsonBody.MAX_DATA_BYTES);
        Bytes signature = body.base64("signature", JsonBody.MAX_DATA_BYTES);
        calls.run(ctx, caller -> keys.verify(caller, SignRequest.message(ref, message), signature),
                valid -> Replies.json(ctx, 200, new JsonObject().put("valid", valid)));
    }
}
