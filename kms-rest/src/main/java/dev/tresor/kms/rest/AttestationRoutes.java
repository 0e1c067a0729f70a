package dev.tresor.kms.rest;

import dev.tresor.kms.attest.AttestationVerifiers;
import dev.tresor.kms.attest.Challenge;
import dev.tresor.kms.key.ReleaseTerms;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.Evidence;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.VersionRef;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tresor's attestation extensions: challenges, releasable keys, release policies, release to an
 * attested workload (a compact JWE), attested decrypt and, for dev mode, simulated SEV-SNP reports.
 * Evidence travels in the JSON body ({@code nonceId, evidenceType, evidence, certificates,
 * publicKey}); the STACKIT decrypt of a gated key answers 403 ATTESTATION_REQUIRED.
 */
final class AttestationRoutes {
    static final String CHALLENGES = Paths.TENANT + "/attestation/challenges";
    static final String SIM_REPORTS = Paths.TENANT + "/attestation/sim/reports";
    static final String VERIFICATIONS = Paths.TENANT + "/attestation/verifications";
    static final String RELEASABLE_KEYS = Paths.KEY_RING + "/releasable-keys";
    static final String RELEASE_POLICY = Paths.KEY + "/release-policy";
    private static final int MAX_CERTIFICATES_BYTES = 64 * 1024;
    private static final int MAX_PUBLIC_KEY_BYTES = 4 * 1024;
    private static final int REPORT_DATA_BYTES = 64;

    private final KeyManagement keys;
    private final TenantCalls calls;
    private final int maxCiphertextBytes;

    AttestationRoutes(KeyManagement keys, TenantCalls calls, int maxCiphertextBytes) {
        this.keys = keys;
        this.calls = calls;
        this.maxCiphertextBytes = maxCiphertextBytes;
    }

    void mount(Router router) {
        calls.guard(router.post(CHALLENGES)).handler(this::challenge);
        calls.guard(router.post(SIM_REPORTS)).handler(this::simulate);
        calls.guard(router.post(VERIFICATIONS)).handler(this::verify);
        calls.guard(router.post(RELEASABLE_KEYS)).handler(this::createReleasable);
        calls.guard(router.get(RELEASE_POLICY)).handler(this::getPolicy);
        calls.guard(router.put(RELEASE_POLICY)).handler(this::putPolicy);
        calls.guard(router.delete(RELEASE_POLICY)).handler(this::deletePolicy);
        calls.guard(router.post(Paths.KEY + "/release")).handler(ctx -> release(ctx, KeyRoutes.keyRef(ctx).primary()));
        calls.guard(router.post(Paths.VERSION + "/release")).handler(ctx -> release(ctx, VersionRoutes.versionRef(ctx)));
        calls.guard(router.post(Paths.VERSION + "/attested-decrypt")).handler(this::attestedDecrypt);
    }

    /** No body (or no key named): any key of the instance accepts the challenge; {@code {keyRingId, keyId}}: only that key. */
    private void challenge(RoutingContext ctx) {
        Optional<KeyRef> key = Optional.empty();
        if (ctx.body().buffer() != null && ctx.body().buffer().length() > 0) {
            JsonBody body = JsonBody.of(ctx);
            if (body.optionalString("keyRingId").isPresent() || body.optionalString("keyId").isPresent()) {
                key = Optional.of(KeyRef.of(body.uuid("keyRingId"), body.uuid("keyId")));
            }
        }
        if (key.isEmpty()) {
            calls.run(ctx, keys::issueChallenge, challenge -> Replies.json(ctx, 201, challenge(challenge)));
            return;
        }
        KeyRef forKey = key.get();
        calls.run(ctx, caller -> keys.issueChallenge(caller, forKey),
                challenge -> Replies.json(ctx, 201, challenge(challenge).put("keyId", forKey.keyId())));
    }

    /** Verifies evidence with the server's trust and collateral; answers the claims, releases nothing. */
    private void verify(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        String type = body.string("evidenceType");
        Bytes evidence = body.base64("evidence", AttestationVerifiers.MAX_EVIDENCE_BYTES);
        Optional<Bytes> certificates = certificates(body);
        Optional<Bytes> reportData = body.optionalString("reportData").isPresent()
                ? Optional.of(body.base64("reportData", REPORT_DATA_BYTES)) : Optional.empty();
        calls.run(ctx, caller -> keys.verifyEvidence(caller, type, evidence, certificates, reportData),
                result -> Replies.json(ctx, 200, new JsonObject()
                        .put("tee", result.tee())
                        .put("bound", result.claims().get("bound"))
                        .put("claims", new JsonObject(new TreeMap<>(result.claims())))));
    }

    private static JsonObject challenge(Challenge challenge) {
        return new JsonObject()
                .put("nonceId", challenge.id())
                .put("nonce", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(challenge.nonce().toArray()))
                .put("expiresAt", challenge.expiresAt().toString());
    }

    private void simulate(RoutingContext ctx) {
        JsonBody body = JsonBody.of(ctx);
        Bytes reportData = body.base64("reportData", REPORT_DATA_BYTES);
        Optional<Bytes> measurement = body.optionalString("measurement").map(AttestationRoutes::hex);
        Optional<Long> policy = body.optionalPositiveLong("policy");
        calls.run(ctx, caller -> keys.simulateReport(caller, reportData, measurement, policy),
                simulated -> Replies.json(ctx, 200, new JsonObject()
                        .put("report", simulated.report().toBase64())
                        .put("certificates", simulated.certificateTable().toBase64())));
    }

    private static Bytes hex(String text) {
        try {
            return Bytes.wrap(HexFormat.of().parseHex(text));
        } catch (IllegalArgumentException e) {
            throw KmsError.invalid("field 'measurement' must be hex");
        }
    }

    /** CreateKey with the STACKIT body plus optional {@code releasePolicy} and {@code attestationRequiredFor}. */
    private void createReleasable(RoutingContext ctx) {
        String keyRingId = PathParams.uuid(ctx, "keyRingId");
        CreateKey request = KeyRoutes.createRequest(keyRingId, JsonBody.of(ctx));
        JsonObject json = object(ctx);
        Optional<String> policy = policyText(json, false);
        ReleaseTerms terms = new ReleaseTerms(true, policy, policy.isEmpty() ? Set.of() : uses(json));
        calls.generate(ctx, caller -> keys.createKey(caller, request, terms),
                key -> Replies.json(ctx, 202, StackitJson.key(key)));
    }

    private void getPolicy(RoutingContext ctx) {
        KeyRef ref = KeyRoutes.keyRef(ctx);
        calls.run(ctx, caller -> keys.getReleasePolicy(caller, ref), terms -> Replies.json(ctx, 200, terms(terms)));
    }

    private void putPolicy(RoutingContext ctx) {
        KeyRef ref = KeyRoutes.keyRef(ctx);
        JsonBody.of(ctx);
        JsonObject json = object(ctx);
        String policy = policyText(json, true).orElseThrow();
        Set<ReleaseTerms.Use> uses = uses(json);
        calls.run(ctx, caller -> keys.setReleasePolicy(caller, ref, policy, uses),
                terms -> Replies.json(ctx, 200, terms(terms)));
    }

    private void deletePolicy(RoutingContext ctx) {
        KeyRef ref = KeyRoutes.keyRef(ctx);
        calls.runEmpty(ctx, caller -> keys.deleteReleasePolicy(caller, ref), 204);
    }

    private void release(RoutingContext ctx, VersionRef ref) {
        Evidence evidence = evidence(JsonBody.of(ctx));
        calls.run(ctx, caller -> keys.release(caller, ref, evidence),
                jwe -> Replies.json(ctx, 200, new JsonObject().put("jwe", jwe)));
    }

    private void attestedDecrypt(RoutingContext ctx) {
        VersionRef ref = VersionRoutes.versionRef(ctx);
        JsonBody body = JsonBody.of(ctx);
        Bytes ciphertext = body.base64("data", maxCiphertextBytes);
        Evidence evidence = evidence(body);
        calls.run(ctx, caller -> keys.decryptAttested(caller, DecryptRequest.envelope(ref, ciphertext), evidence),
                jwe -> Replies.json(ctx, 200, new JsonObject().put("jwe", jwe)));
    }

    private static Evidence evidence(JsonBody body) {
        return new Evidence(body.string("nonceId"), body.string("evidenceType"),
                body.base64("evidence", AttestationVerifiers.MAX_EVIDENCE_BYTES), certificates(body),
                body.base64("publicKey", MAX_PUBLIC_KEY_BYTES));
    }

    private static Optional<Bytes> certificates(JsonBody body) {
        return body.optionalString("certificates").isPresent()
                ? Optional.of(body.base64("certificates", MAX_CERTIFICATES_BYTES)) : Optional.empty();
    }

    private static JsonObject terms(ReleaseTerms terms) {
        JsonArray uses = new JsonArray();
        terms.attestationRequiredFor().stream().sorted().forEach(use -> uses.add(use.wireName()));
        return new JsonObject()
                .put("releasable", terms.releasable())
                .put("policy", terms.policy().map(JsonObject::new).orElse(null))
                .put("attestationRequiredFor", uses);
    }

    /** The body as a JSON object; {@link JsonBody#of} has already refused anything else. */
    private static JsonObject object(RoutingContext ctx) {
        try {
            return ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw KmsError.invalid("request body must be a JSON object");
        }
    }

    private static Optional<String> policyText(JsonObject json, boolean required) {
        Object policy = json.getValue(required ? "policy" : "releasePolicy");
        if (policy == null && !required) {
            return Optional.empty();
        }
        if (!(policy instanceof JsonObject object)) {
            throw KmsError.invalid("field '" + (required ? "policy" : "releasePolicy") + "' must be a JSON object");
        }
        return Optional.of(object.encode());
    }

    /** {@code attestationRequiredFor}: release, decrypt, unwrap; absent = release only. */
    private static Set<ReleaseTerms.Use> uses(JsonObject json) {
        Object value = json.getValue("attestationRequiredFor");
        if (value == null) {
            return Set.of(ReleaseTerms.Use.RELEASE);
        }
        if (!(value instanceof JsonArray array)) {
            throw KmsError.invalid("field 'attestationRequiredFor' must be an array of release, decrypt, unwrap");
        }
        Set<ReleaseTerms.Use> uses = EnumSet.noneOf(ReleaseTerms.Use.class);
        for (Object item : array) {
            String name = String.valueOf(item);
            uses.add(ReleaseTerms.Use.fromWire(name).orElseThrow(() -> KmsError.invalid(
                    "field 'attestationRequiredFor' names '" + name + "'; allowed are release, decrypt, unwrap")));
        }
        return uses;
    }
}
