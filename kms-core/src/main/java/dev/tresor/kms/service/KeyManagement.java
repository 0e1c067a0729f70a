package dev.tresor.kms.service;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.Challenge;
import dev.tresor.kms.attest.jwe.Jwe;
import dev.tresor.kms.attest.kbs.KbsAttestation;
import dev.tresor.kms.attest.kbs.KbsChallenge;
import dev.tresor.kms.attest.kbs.KbsCredential;
import dev.tresor.kms.attest.kbs.KbsRequest;
import dev.tresor.kms.attest.kbs.KbsResourcePath;
import dev.tresor.kms.attest.kbs.KbsSessions;
import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.audit.AuditRecord;
import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.crypto.Drbg;
import dev.tresor.kms.key.AttributeReplacement;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyCryptography;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.KeyService;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.key.ManagedObject;
import dev.tresor.kms.key.ManagedObjects;
import dev.tresor.kms.key.ObjectPublicKey;
import dev.tresor.kms.key.PublicKeyCryptography;
import dev.tresor.kms.key.ReleaseTerms;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.key.Usages;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.key.WrappingKey;
import dev.tresor.kms.key.WrappingKeys;
import dev.tresor.kms.limit.RateLimitStatus;
import dev.tresor.kms.limit.RateLimits;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.Right;
import dev.tresor.kms.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The one service API every front-end calls. Synchronous and thread-safe: front-ends call it
 * from worker threads, never from an event loop, except {@link #admittedWithoutWaiting}, which
 * declines to a worker whatever would wait. Each call runs rate limit → authorisation →
 * operation → audit ({@link CallPipeline}), and fails only with {@link KmsError}.
 */
public final class KeyManagement {
    private static final int MAX_RANDOM = 65_536;

    private final KeyService keys;
    private final KeyCryptography cryptography;
    private final WrappingKeys wrappingKeys;
    private final ManagedObjects objects;
    private final PublicKeyCryptography publicKeys;
    private final Projects projects;
    private final RateLimits limits;
    private final AuditLog audit;
    private final Crypto crypto;
    private final Clock clock;
    private final CallPipeline pipeline;
    private final AttestationGate attestation;
    private final KbsProtocol kbs;
    private final java.util.function.BooleanSupplier ready;
    private final BarrierStore barrier;

    KeyManagement(BarrierStore barrier, KeyService keys, KeyCryptography cryptography, WrappingKeys wrappingKeys,
                  ManagedObjects objects, Projects projects, RateLimits limits, AuditLog audit, Crypto crypto,
                  Clock clock, AttestationGate attestation) {
        this.keys = keys;
        this.cryptography = cryptography;
        this.wrappingKeys = wrappingKeys;
        this.objects = objects;
        this.publicKeys = new PublicKeyCryptography(objects, crypto);
        this.projects = projects;
        this.limits = limits;
        this.audit = audit;
        this.crypto = crypto;
        this.clock = clock;
        this.attestation = attestation;
        this.kbs = new KbsProtocol(attestation, clock, crypto.random());
        this.pipeline = new CallPipeline(barrier, projects, limits, audit, clock);
        this.barrier = barrier;
        this.ready = () -> {
            try {
                barrier.requireUnsealed();
                return true;
            } catch (KmsError sealed) {
                return false;
            }
        };
    }

    /**
     * Runs one front-end call that takes several core calls (a KMIP batch item): counts it once
     * against the instance's budget and audits it as {@code operation}, then runs {@code item}
     * with the caller marked as admitted, so the core calls it makes are not counted again. All
     * their audit records are durable, in one write, before this returns. Also the way to count
     * and audit a call that touches no key (KMIP Query, Discover Versions). The call's record
     * names its outcome: ok, the code of a {@link KmsError} it threw, or INTERNAL for anything else.
     */
    public <T> T admitted(Caller caller, String operation, java.util.function.Function<Caller, T> item) {
        return pipeline.admitted(caller, operation, item, unexpected -> ErrorCode.INTERNAL);
    }

    /**
     * {@link #admitted(Caller, String, java.util.function.Function)} for a front-end with refusals
     * of its own: {@code refusalCode} names the code the call's record gives each of them.
     */
    public <T> T admitted(Caller caller, String operation, java.util.function.Function<Caller, T> item,
                          java.util.function.Function<RuntimeException, ErrorCode> refusalCode) {
        return pipeline.admitted(caller, operation, item, refusalCode);
    }

    /**
     * {@link #admitted(Caller, String, java.util.function.Function, java.util.function.Function)}
     * that frees the calling thread while the records go to disk: {@code item} runs at once, and
     * the future gives its result only once they are durable, or fails if they cannot be
     * written. It completes on the store's committer thread: act on it without blocking. A
     * failure of {@code item} itself is recorded before this returns, the future already failed.
     */
    public <T> CompletableFuture<T> admittedAsync(Caller caller, String operation,
            java.util.function.Function<Caller, T> item,
            java.util.function.Function<RuntimeException, ErrorCode> refusalCode) {
        return pipeline.admittedAsync(caller, operation, item, refusalCode);
    }

    /**
     * {@link #admittedAsync} for a thread that must never block (an event loop): {@code item} runs
     * here if the call needs nothing that waits ({@link NonBlocking}: the key record and material
     * cached, no key lock for a usage limit, no attestation, no RSA, the project and the tenant's
     * audit chain end in memory) and nothing in it fails. Otherwise the call is declined before it
     * changed anything, and runs from the start on {@code blocking}, counted against the budget
     * and audited exactly once either way. The future is as {@link #admittedAsync}'s, except that
     * every failure arrives in it, on whichever thread it happened.
     */
    public <T> CompletableFuture<T> admittedWithoutWaiting(Caller caller, String operation,
            java.util.function.Function<Caller, T> item,
            java.util.function.Function<RuntimeException, ErrorCode> refusalCode, java.util.concurrent.Executor blocking) {
        return pipeline.admittedWithoutWaiting(caller, operation, item, refusalCode, blocking);
    }

    /**
     * Undoes a group of calls (a KMIP batch with Batch Error Continuation Option Undo whose item
     * failed), in one atomic write audited as {@code undo} on {@code undoneCalls} (which names
     * them): every record the calls made with {@code scope} changed goes back to its value before
     * them; a key or object they created is deleted the normal way (restorable until the deletion
     * grace ends, then purged; its id is never given again), never erased. FAILED_PRECONDITION,
     * with nothing changed, if another call changed one of those records since, or if a call added
     * a version to a key that existed before. It holds the locks of the keys and objects concerned
     * while it checks and writes, and drops the keys' cached records and material. Not undone: audit records
     * (every attempt is kept), usage counted against a key's usage limit (a crypto call's output
     * has left), material a Get returned, random seed mixed into the generator.
     */
    public void undo(Caller caller, UndoScope scope, String undoneCalls) {
        if (caller.undo().isPresent() || caller.admitted()) {
            throw new IllegalArgumentException("undo is called with the front-end call's own caller");
        }
        Set<String> changed = scope.keys();
        objects.undoing(caller.tenant(), changed, () -> keys.undoing(caller.tenant(), changed,
                () -> pipeline.undo(caller, scope, undoneCalls,
                        batch -> keys.softDeleteCreated(caller.tenant(), scope.created(), batch))));
    }

    /** The instance's rolling-hour budget right now (for RateLimit-* headers); not itself a counted call. */
    public RateLimitStatus rateLimitStatus(TenantId tenant) {
        return limits.status(tenant, projects.get(tenant.projectId()).callsPerHour(), clock.instant());
    }

    // --- key rings -------------------------------------------------------------------------

    public KeyRing createKeyRing(Caller caller, CreateKeyRing request) {
        return pipeline.run(caller, "keyring.create", Right.LIFECYCLE, "keyrings",
                commit -> keys.createKeyRing(caller.tenant(), request, commit));
    }

    public List<KeyRing> listKeyRings(Caller caller) {
        return pipeline.read(caller, "keyring.list", Right.READ_METADATA, "keyrings",
                () -> keys.listKeyRings(caller.tenant()));
    }

    public KeyRing getKeyRing(Caller caller, String keyRingId) {
        return pipeline.read(caller, "keyring.get", Right.READ_METADATA, ring(keyRingId),
                () -> keys.keyRing(caller.tenant(), keyRingId));
    }

    /** Refused while the ring holds any key or active wrapping key. */
    public void deleteKeyRing(Caller caller, String keyRingId) {
        pipeline.run(caller, "keyring.delete", Right.LIFECYCLE, ring(keyRingId), commit -> {
            keys.deleteKeyRing(caller.tenant(), keyRingId, commit);
            return null;
        });
    }

    // --- keys ------------------------------------------------------------------------------

    /** Creates the key and, unless import-only, its first version (state {@code active}). */
    public Key createKey(Caller caller, CreateKey request) {
        return pipeline.run(caller, "key.create", Right.LIFECYCLE, ring(request.keyRingId()) + "/keys",
                commit -> keys.createKey(caller.tenant(), request, legacy(caller), commit));
    }

    public List<Key> listKeys(Caller caller, String keyRingId) {
        return pipeline.read(caller, "key.list", Right.READ_METADATA, ring(keyRingId) + "/keys",
                () -> keys.listKeys(caller.tenant(), keyRingId));
    }

    /** Every key of the caller's KMS instance, in every ring (KMIP Locate). */
    public List<Key> listAllKeys(Caller caller) {
        return pipeline.read(caller, "key.list", Right.READ_METADATA, "keys", () -> keys.listAllKeys(caller.tenant()));
    }

    /**
     * The primary version number of every key of the caller's KMS instance that has one (not
     * deleted, an active version): one call for what KMIP Locate reports per object.
     */
    public Map<String, Long> primaryVersions(Caller caller) {
        return pipeline.read(caller, "key.list", Right.READ_METADATA, "keys",
                () -> keys.primaryVersions(caller.tenant()));
    }

    public Key getKey(Caller caller, KeyRef ref) {
        return pipeline.read(caller, "key.get", Right.READ_METADATA, key(ref), () -> keys.key(caller.tenant(), ref));
    }

    /** Soft delete: state {@code deleted}, {@code deletionDate} 30 days ahead, unusable until restored. */
    public Key deleteKey(Caller caller, KeyRef ref) {
        return pipeline.run(caller, "key.delete", Right.LIFECYCLE, key(ref),
                commit -> keys.deleteKey(caller.tenant(), ref, commit));
    }

    public Key restoreKey(Caller caller, KeyRef ref) {
        return pipeline.run(caller, "key.restore", Right.LIFECYCLE, key(ref),
                commit -> keys.restoreKey(caller.tenant(), ref, commit));
    }

    /** Adds a generated version that becomes primary; PERMISSION_DENIED for an import-only key. */
    public KeyVersion rotateKey(Caller caller, KeyRef ref) {
        return pipeline.run(caller, "key.rotate", Right.LIFECYCLE, key(ref),
                commit -> keys.rotateKey(caller.tenant(), ref, commit));
    }

    /**
     * {@link #rotateKey}, the new version limited to the period {@code period} gives (KMIP ReKey's
     * dates) in the same write. {@code period} is asked only after every refusal of the rotation
     * itself (role, key state, import-only), and may refuse with a {@link KmsError} of its own.
     */
    public KeyVersion rotateKey(Caller caller, KeyRef ref, Supplier<UsePeriod> period) {
        return pipeline.run(caller, "key.rotate", Right.LIFECYCLE, key(ref),
                commit -> keys.rotateKey(caller.tenant(), ref, period, commit));
    }

    /** BYOK: adds a version from material wrapped to a wrapping key of the same ring. */
    public KeyVersion importKey(Caller caller, KeyRef ref, String wrappingKeyId, Bytes wrappedKey) {
        return pipeline.run(caller, "key.import", Right.LIFECYCLE, key(ref),
                commit -> wrappingKeys.importKey(caller.tenant(), ref, wrappingKeyId, wrappedKey, commit));
    }

    /** Adds a version from plain material (KMIP Register over mutual TLS). */
    public KeyVersion importPlainKey(Caller caller, KeyRef ref, Bytes material) {
        return pipeline.run(caller, "key.import", Right.LIFECYCLE, key(ref), commit -> {
            dev.tresor.kms.crypto.KeyMaterial plain = dev.tresor.kms.crypto.KeyMaterial.copyOf(material.toArray());
            try {
                return keys.importMaterial(caller.tenant(), ref, plain, commit);
            } finally {
                plain.destroy();
            }
        });
    }

    /**
     * Replaces the key's front-end attributes if they still are {@code expected} (what the caller
     * read before changing them); FAILED_PRECONDITION if another call changed them since.
     */
    public Key replaceAttributes(Caller caller, KeyRef ref, Map<String, String> expected,
                                 Map<String, String> attributes) {
        return pipeline.run(caller, "key.set-attributes", Right.LIFECYCLE, key(ref),
                commit -> keys.replaceAttributes(caller.tenant(), ref, expected, attributes, commit));
    }

    /**
     * {@link #replaceAttributes}, and in the same write when version {@code version} may protect
     * and process (the replacement's period), which every front-end's cryptographic calls then
     * obey, and, when the replacement carries one, its lifecycle step (KMIP Revoke and Destroy),
     * judged on the key and the version as they are when the attributes are saved: an active
     * version is revoked, a revoked one may become compromised, a version is destroyed or the key
     * deleted unless it already is; anything else is left as it is, but a version's step on a key
     * deleted since the front-end read it is refused as changed meanwhile. The attributes and the
     * step are durable together or not at all. {@code replacement} is asked only once the caller's role may
     * change the key, so that a front-end's own refusal in it (a {@link KmsError}, such as an
     * object's lifecycle state) never hides a denial. A write that makes the step carries two
     * audit records, {@code key.set-attributes} and the step's ({@code version.revoke},
     * {@code version.destroy} or {@code key.delete}), both ok; any other write only the first; a
     * refused call records only its {@code key.set-attributes} refusal. {@code possible} are the
     * steps the front-end's call may make (Revoke: its revocation; Destroy: the version's destroy
     * and the key's delete, or a pair's public half's conditional delete; an edit: none): the
     * caller's role needs each one's right, and a replacement carrying another step is refused
     * (INTERNAL) with nothing written.
     */
    public Key replaceAttributes(Caller caller, KeyRef ref, Map<String, String> expected, long version,
                                 Set<LifecycleStep> possible, Supplier<AttributeReplacement> replacement) {
        List<CallPipeline.Also> steps = possible.stream().sorted().map(step -> audited(step, ref, version))
                .distinct().toList();
        return pipeline.run(caller, "key.set-attributes", Right.LIFECYCLE, key(ref), steps, (commit, stepCommit) ->
                keys.replaceAttributes(caller.tenant(), ref, expected, version, possible, replacement.get(), commit,
                        step -> stepCommit.apply(audited(step, ref, version))));
    }

    /** The audit record of a lifecycle step made in an attribute save, and the right it needs. */
    private static CallPipeline.Also audited(LifecycleStep step, KeyRef ref, long version) {
        return switch (step) {
            case REVOKE, REVOKE_COMPROMISED ->
                    new CallPipeline.Also("version.revoke", Right.LIFECYCLE, version(new VersionRef(ref, version)));
            case DESTROY_VERSION ->
                    new CallPipeline.Also("version.destroy", Right.LIFECYCLE, version(new VersionRef(ref, version)));
            case DELETE_KEY, DELETE_KEY_IF_DESTROYED -> new CallPipeline.Also("key.delete", Right.LIFECYCLE, key(ref));
        };
    }

    // --- versions --------------------------------------------------------------------------

    public List<KeyVersion> listVersions(Caller caller, KeyRef ref) {
        return pipeline.read(caller, "version.list", Right.READ_METADATA, key(ref) + "/versions",
                () -> keys.listVersions(caller.tenant(), ref));
    }

    /** A version with the digests kept with it (none for a version stored before they were kept). */
    public KeyVersion getVersion(Caller caller, VersionRef ref) {
        return pipeline.read(caller, "version.get", Right.READ_METADATA, version(ref),
                () -> keys.version(caller.tenant(), ref));
    }

    public KeyVersion disableVersion(Caller caller, VersionRef ref) {
        return pipeline.run(caller, "version.disable", Right.LIFECYCLE, version(ref),
                commit -> keys.disableVersion(caller.tenant(), ref, commit));
    }

    public KeyVersion enableVersion(Caller caller, VersionRef ref) {
        return pipeline.run(caller, "version.enable", Right.LIFECYCLE, version(ref),
                commit -> keys.enableVersion(caller.tenant(), ref, commit));
    }

    /** Soft destroy: state {@code destroyed}, {@code destroyDate} 30 days ahead. */
    public KeyVersion destroyVersion(Caller caller, VersionRef ref) {
        return pipeline.run(caller, "version.destroy", Right.LIFECYCLE, version(ref),
                commit -> keys.destroyVersion(caller.tenant(), ref, commit));
    }

    /** Within the window, returns the version to the state it had before destroy. */
    public KeyVersion restoreVersion(Caller caller, VersionRef ref) {
        return pipeline.run(caller, "version.restore", Right.LIFECYCLE, version(ref),
                commit -> keys.restoreVersion(caller.tenant(), ref, commit));
    }

    // --- cryptography ----------------------------------------------------------------------

    /** A key with a usage limit commits what remains of it with the call's audit record. */
    public Encrypted encrypt(Caller caller, EncryptRequest request) {
        return pipeline.run(caller, "encrypt", Right.CRYPTO, version(request.target()),
                commit -> cryptography.encrypt(caller.tenant(), request, commit));
    }

    /**
     * One part of an encryption fed in parts (KMIP Encrypt with Init/Final Indicator): each part
     * is a call of its own, counted, audited and limited like an encryption.
     */
    public EncryptedPart encryptPart(Caller caller, EncryptionPart part) {
        NonBlocking.check("an encryption in parts"); // its open state could not be rolled back for a retry
        return pipeline.run(caller, "encrypt", Right.CRYPTO, version(part.request().target()),
                commit -> cryptography.encryptPart(caller.tenant(), caller.principal(), part, commit));
    }

    /** ATTESTATION_REQUIRED for a key that requires attestation for decrypt or unwrap. */
    public Bytes decrypt(Caller caller, DecryptRequest request) {
        return pipeline.read(caller, "decrypt", Right.CRYPTO, version(request.target()), () -> {
            Key key = keys.key(caller.tenant(), request.target().key());
            if (key.release().gatesDecrypt()) {
                throw KmsError.of(ErrorCode.ATTESTATION_REQUIRED, "key " + key.id()
                        + " requires attestation for decrypt: answer a challenge with evidence");
            }
            return cryptography.decrypt(caller.tenant(), request);
        });
    }

    /**
     * Decrypt for an attested workload: the evidence must pass the key's release policy, and the
     * plaintext comes back only as a compact JWE to the workload key the evidence binds.
     */
    public String decryptAttested(Caller caller, DecryptRequest request, Evidence evidence) {
        String resource = version(request.target());
        return pipeline.read(caller, "decrypt", Right.CRYPTO, resource, () -> {
            Key key = keys.key(caller.tenant(), request.target().key());
            attestation.admit(caller, resource, key.id(), key.release(), evidence);
            byte[] plaintext = cryptography.decrypt(caller.tenant(), request).toArray();
            try {
                return attestation.seal(evidence, plaintext, Map.of("cty", "application/octet-stream"));
            } finally {
                java.util.Arrays.fill(plaintext, (byte) 0);
            }
        });
    }

    /** Signs or MACs; a key with a usage limit commits what remains of it as {@link #encrypt} does. */
    public Bytes sign(Caller caller, SignRequest request) {
        return pipeline.run(caller, "sign", Right.CRYPTO, version(request.target()),
                commit -> cryptography.sign(caller.tenant(), request, legacy(caller), commit));
    }

    public boolean verify(Caller caller, SignRequest request, Bytes signature) {
        return pipeline.read(caller, "verify", Right.CRYPTO, version(request.target()),
                () -> cryptography.verify(caller.tenant(), request, legacy(caller), signature));
    }

    /**
     * Why the caller's project refuses a key of {@code type} holding {@code usages} together, or empty
     * when it allows them: the rule key creation and MAC apply, for a front-end that answers a refusal
     * in its own words before it calls them (no call of its own, like {@link #keyGenerator}).
     */
    public Optional<String> usageConflict(Caller caller, KeyType type, Set<KeyUsage> usages) {
        return Usages.conflict(type, usages, legacy(caller));
    }

    /**
     * RSA-OAEP encryption with a public key registered alone (KMIP Encrypt on a public key object),
     * under the key the core stored with the object at {@link #registerPublicKey}.
     */
    public Bytes encryptWithPublicKey(Caller caller, String objectId, Scheme scheme, Bytes plaintext) {
        return pipeline.read(caller, "encrypt", Right.CRYPTO, object(objectId),
                () -> publicKeys.encrypt(caller.tenant(), objectId, scheme, plaintext));
    }

    /** Signature verify with a public key registered alone, under its stored key as in {@link #encryptWithPublicKey}. */
    public boolean verifyWithPublicKey(Caller caller, String objectId, Scheme scheme, Bytes data, boolean prehashed,
                                       Bytes signature) {
        return pipeline.read(caller, "verify", Right.CRYPTO, object(objectId),
                () -> publicKeys.verify(caller.tenant(), objectId, scheme, data, prehashed, signature));
    }

    /**
     * Plain material (raw symmetric, PKCS#8 private) of an {@code exportable} key's version; else
     * PERMISSION_DENIED. The first export marks the version served ({@link KeyVersion#materialServed}).
     */
    public Bytes exportMaterial(Caller caller, VersionRef ref) {
        ExportOperation operation = new ExportOperation("key.export");
        return pipeline.read(caller, operation::name, Right.CRYPTO, version(ref), () -> {
            KeyService.Exported exported = operation.found(keys.exportMaterial(caller.tenant(), ref));
            servedOrZeroed(caller, exported.version(), exported.material());
            return exported.material();
        });
    }

    /** Marks the material served once it has left; if that fails, the material is zeroed, not handed out. */
    private void servedOrZeroed(Caller caller, KeyVersion version, Bytes material) {
        try {
            keys.markServed(caller.tenant(), version, KeyVersion.Half.MATERIAL);
        } catch (RuntimeException e) {
            material.zero();
            throw e;
        }
    }

    /**
     * The material of {@code target}, exported under the rules of {@link #exportMaterial}, wrapped
     * under {@code wrapper} with AES key wrap without leaving the core in plain: {@code encoding}
     * makes the bytes to wrap from it (KMIP may wrap a TTLV Key Value), and what was read and
     * encoded is zeroed once wrapped. The wrapping key is checked before the target is read. One
     * audit record, {@code key.export-wrapped}, names both: the target, then after
     * {@code wrapped-by} the wrapping key.
     */
    public Encrypted exportWrapped(Caller caller, VersionRef target, VersionRef wrapper, Scheme scheme,
                                   UnaryOperator<Bytes> encoding) {
        ExportOperation operation = new ExportOperation("key.export-wrapped");
        return pipeline.run(caller, operation::name, Right.CRYPTO,
                version(target) + " wrapped-by " + version(wrapper),
                commit -> {
                    Encrypted wrapped = cryptography.wrapKey(caller.tenant(), wrapper, scheme, () -> {
                        Bytes material = operation.found(keys.exportMaterial(caller.tenant(), target)).material();
                        Bytes encoded = null;
                        try {
                            encoded = encoding.apply(material);
                            return encoded;
                        } finally {
                            if (encoded != material) {
                                material.zero();
                            }
                        }
                    }, commit);
                    keys.markServed(caller.tenant(), operation.exported(), KeyVersion.Half.MATERIAL);
                    return wrapped;
                });
    }

    /** DER SubjectPublicKeyInfo of an asymmetric key's version, handed to a client (so no longer fresh). */
    public Bytes publicKey(Caller caller, VersionRef ref) {
        return pipeline.read(caller, "key.public-key", Right.READ_METADATA, version(ref),
                () -> cryptography.publicKey(caller.tenant(), ref));
    }

    public Bytes random(Caller caller, int length) {
        return pipeline.read(caller, "random", Right.CRYPTO, "", () -> {
            if (length < 1 || length > MAX_RANDOM) {
                throw KmsError.invalid("random length must be between 1 and " + MAX_RANDOM + " bytes");
            }
            return Bytes.wrap(crypto.randomBytes(length));
        });
    }

    /** Mixes a client's seed into the DRBG (KMIP RNG Seed) and returns how many of its bytes were used. */
    public int seedRandom(Caller caller, Bytes seed) {
        return pipeline.read(caller, "random.seed", Right.CRYPTO, "", () -> {
            crypto.reseed(seed.toArray());
            return seed.length();
        });
    }

    /** The DRBG every key the server generates comes from (server information, no call of its own). */
    public Drbg keyGenerator() {
        return crypto.drbg();
    }

    /**
     * SHA-256 of an identifier, which is no secret: no call of its own (like {@link #keyGenerator}).
     * KMIP 2.x reports it as an object's Short Unique Identifier.
     */
    public Bytes identifierDigest(String identifier) {
        return Bytes.wrap(crypto.digest("SHA-256", identifier.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code hash}: SHA-1, SHA-256, SHA-384 or SHA-512 (JCA names). */
    public Bytes hash(Caller caller, String hash, Bytes data) {
        return pipeline.read(caller, "hash", Right.CRYPTO, "", () -> {
            if (data.length() > KeyCryptography.MAX_DATA) {
                throw KmsError.invalid("data is " + data.length() + " bytes; the limit is " + KeyCryptography.MAX_DATA);
            }
            return Bytes.wrap(crypto.digest(hash, data.toArray()));
        });
    }

    // --- attestation-gated release (Tresor extension) ---------------------------------------

    /** Creates a key with release terms: {@code releasable} is fixed from here on. */
    public Key createKey(Caller caller, CreateKey request, ReleaseTerms release) {
        release.policy().ifPresent(attestation::parse);
        return pipeline.run(caller, "key.create", Right.LIFECYCLE, ring(request.keyRingId()) + "/keys",
                commit -> keys.createKey(caller.tenant(), request, legacy(caller), release, commit));
    }

    /**
     * Sets the key's release policy (validated: INVALID_ARGUMENT naming an unknown claim or
     * operator) and the uses that need attestation besides release.
     */
    public ReleaseTerms setReleasePolicy(Caller caller, KeyRef ref, String policy, Set<ReleaseTerms.Use> requiredFor) {
        return pipeline.run(caller, "key.set-release-policy", Right.LIFECYCLE, key(ref), commit -> {
            attestation.parse(policy);
            return keys.setReleasePolicy(caller.tenant(), ref, Optional.of(policy), requiredFor, commit).release();
        });
    }

    public ReleaseTerms getReleasePolicy(Caller caller, KeyRef ref) {
        return pipeline.read(caller, "key.get-release-policy", Right.READ_METADATA, key(ref),
                () -> keys.key(caller.tenant(), ref).release());
    }

    /** Clears policy and gated uses; the key then cannot be released at all. */
    public ReleaseTerms deleteReleasePolicy(Caller caller, KeyRef ref) {
        return pipeline.run(caller, "key.delete-release-policy", Right.LIFECYCLE, key(ref),
                commit -> keys.setReleasePolicy(caller.tenant(), ref, Optional.empty(), Set.of(), commit).release());
    }

    /** A fresh challenge for this KMS instance's REST release and gated decrypt calls. */
    public Challenge issueChallenge(Caller caller) {
        return pipeline.read(caller, "attestation.challenge", Right.CRYPTO, "attestation/challenges",
                () -> attestation.issue(caller.tenant()));
    }

    /** A challenge only this key's release and attested decrypt accept; NOT_FOUND for an unknown key. */
    public Challenge issueChallenge(Caller caller, KeyRef ref) {
        return pipeline.read(caller, "attestation.challenge", Right.CRYPTO, key(ref) + "/challenges",
                () -> attestation.issueFor(caller.tenant(), keys.key(caller.tenant(), ref).id()));
    }

    /**
     * Verifies evidence with the server's trust and collateral and answers the verdict and its
     * claims; releases nothing. Bound only when {@code expectedReportData} is given.
     */
    public AttestationResult verifyEvidence(Caller caller, String type, Bytes evidence, Optional<Bytes> certificateTable,
                                            Optional<Bytes> expectedReportData) {
        return pipeline.read(caller, "attestation.verification", Right.CRYPTO, "attestation/verifications",
                () -> attestation.check(caller, type, evidence, certificateTable, expectedReportData));
    }

    /**
     * Releases a version of a releasable key to an attested workload: consume the challenge,
     * verify the evidence bound to the workload key, baseline guard AND release policy; answers
     * the version as a JWK in a compact JWE to the workload key. No role releases without evidence.
     */
    public String release(Caller caller, VersionRef ref, Evidence evidence) {
        return pipeline.read(caller, "key.release", Right.CRYPTO, version(ref), () -> releaseVersion(caller, ref,
                key -> attestation.admit(caller, version(ref), key.id(), key.release(), evidence),
                (jwk, headers) -> attestation.seal(evidence, jwk, headers)));
    }

    // --- the Confidential Containers KBS protocol (Tresor extension) ---------------------------

    /**
     * KBS {@code Request}: opens a session of this KMS instance and answers its challenge. No
     * credential is needed, so it spends no API budget and writes no audit record; the sessions
     * have their own bounds ({@link KbsSessions.Limits}). The instance is not looked up either: an
     * unknown one answers the handshake like a known one.
     */
    public KbsChallenge kbsAuth(TenantId tenant, KbsRequest request) {
        barrier.requireUnsealed();
        return kbs.auth(KbsProtocol.guest(tenant, "new"), request);
    }

    /**
     * KBS {@code Attestation}: verifies the evidence bound to the session's nonce and the guest's
     * tee-pubkey; the session is then attested and its token answered (again for a repeat). Spends
     * no API budget; each verification is audited as {@code attestation.verify}.
     */
    public KbsSessions.Attested kbsAttest(TenantId tenant, String sessionId, KbsAttestation attestation) {
        barrier.requireUnsealed();
        return kbs.attest(KbsProtocol.guest(tenant, sessionId), sessionId, attestation);
    }

    /**
     * KBS resource: the key version the path names, released by its policy over the session's
     * verdict, as a JWE to the session's tee-pubkey. Only a request of an attested session is a
     * call of the instance (counted and audited under the version's name); any other is refused
     * UNAUTHENTICATED before.
     */
    public Jwe kbsResource(TenantId tenant, KbsCredential credential, KbsResourcePath path) {
        barrier.requireUnsealed();
        Caller guest = KbsProtocol.guest(tenant, credential.auditName());
        KbsSessions.Attested session = kbs.session(guest, credential);
        VersionRef ref = path.versionRef();
        return pipeline.read(guest, "kbs.resource", Right.CRYPTO, version(ref), () -> releaseVersion(guest, ref,
                key -> attestation.authorize(guest, version(ref), key.release(), session.result()),
                (jwk, headers) -> attestation.sealTo(session.teeKey(), jwk, headers)));
    }

    /** Release of a version: releasable, admitted by {@code admit}, its JWK sealed by {@code seal}. */
    private <T> T releaseVersion(Caller caller, VersionRef ref, java.util.function.Consumer<Key> admit,
                                 java.util.function.BiFunction<byte[], Map<String, String>, T> seal) {
        Key key = keys.key(caller.tenant(), ref.key());
        if (!key.release().releasable()) {
            throw KmsError.denied("key " + key.id() + " was not created releasable");
        }
        admit.accept(key);
        KeyService.Released released = keys.releasableJwk(caller.tenant(), ref);
        try {
            String name = key(KeyRef.of(key.keyRingId(), key.id())) + "/versions/" + released.version().number();
            return seal.apply(released.jwk(), Map.of("cty", "jwk+json", "tresor_key", name));
        } finally {
            java.util.Arrays.fill(released.jwk(), (byte) 0);
        }
    }

    /** A Nonce for a KMIP Attestation Required answer; the retry's credential must echo it. */
    public Challenge issueKmipChallenge(Caller caller) {
        return pipeline.read(caller, "attestation.challenge", Right.CRYPTO, "attestation/kmip",
                () -> attestation.issueKmip(caller.tenant()));
    }

    /**
     * KMIP decrypt with the Attestation credential: for a key whose terms gate decrypt, the evidence
     * (KMIP binding) must pass the key's release policy; the plaintext rides the mutual-TLS channel
     * the evidence is bound to. A key that needs no evidence ignores it (its nonce stays unused).
     */
    public Bytes decryptAttested(Caller caller, DecryptRequest request, KmipAttestation credential) {
        NonBlocking.check("attestation"); // it consumes the credential's nonce
        String resource = version(request.target());
        return pipeline.read(caller, "decrypt", Right.CRYPTO, resource, () -> {
            Key key = keys.key(caller.tenant(), request.target().key());
            if (key.release().gatesDecrypt()) {
                attestation.admit(caller, resource, key.release(), credential);
            }
            return cryptography.decrypt(caller.tenant(), request);
        });
    }

    /** Dev mode only: a simulated SEV-SNP report carrying {@code reportData}, optionally for another guest. */
    public SimulatedEvidence simulateReport(Caller caller, Bytes reportData, Optional<Bytes> measurement,
                                            Optional<Long> policy) {
        return pipeline.read(caller, "attestation.simulate", Right.CRYPTO, "attestation/sim/reports",
                () -> attestation.simulate(reportData, measurement, policy));
    }

    // --- other managed objects (KMIP secret data, opaque objects, certificates, public keys) ---

    /** {@code exportable} empty = the project's KMIP default. */
    public ManagedObject registerObject(Caller caller, ManagedObject.Type type, Bytes value,
                                        Optional<Boolean> exportable, Map<String, String> attributes) {
        return registerObject(caller, type, value, exportable, false, attributes);
    }

    /** A {@code sensitive} object's value never leaves, whatever its type or exportable flag. */
    public ManagedObject registerObject(Caller caller, ManagedObject.Type type, Bytes value,
                                        Optional<Boolean> exportable, boolean sensitive, Map<String, String> attributes) {
        return registerObject(caller, type, value, Optional.empty(), exportable, sensitive, attributes);
    }

    /**
     * A public key registered alone: {@code value} is the front-end's form of the object,
     * {@code key} its key as the core reads it (empty: a format the core does not read; the object
     * then encrypts and verifies nothing). Encrypt and verify with the object use only this key.
     */
    public ManagedObject registerPublicKey(Caller caller, Bytes value, Optional<ObjectPublicKey> key,
                                           Optional<Boolean> exportable, boolean sensitive,
                                           Map<String, String> attributes) {
        return registerObject(caller, ManagedObject.Type.PUBLIC_KEY, value, key, exportable, sensitive, attributes);
    }

    /**
     * Gives a public key registered before the core kept its key (it has only its value) that key,
     * once: {@code read} takes it from the object's stored value as the front-end's register does
     * (a front-end calls this when encrypt or verify refused the object with
     * {@link KmsError.Detail#KEY_FORMAT_NOT_USABLE}). A key the object holds is never replaced, and
     * {@code read} is not asked then; a value with no key the core reads stays refused so. The right
     * is that of the use that needs the key: the caller chooses nothing stored, and nothing leaves.
     */
    public void adoptPublicKey(Caller caller, String objectId, Function<Bytes, Optional<ObjectPublicKey>> read) {
        pipeline.run(caller, "object.adopt-public-key", Right.CRYPTO, object(objectId), commit -> {
            objects.adoptPublicKey(caller.tenant(), objectId, read, commit);
            return null;
        });
    }

    private ManagedObject registerObject(Caller caller, ManagedObject.Type type, Bytes value,
                                         Optional<ObjectPublicKey> key, Optional<Boolean> exportable,
                                         boolean sensitive, Map<String, String> attributes) {
        return pipeline.run(caller, "object.register", Right.LIFECYCLE, "objects", commit -> objects.register(
                caller.tenant(), type, value, key,
                exportable.orElse(legacy(caller).exportableByDefault()), sensitive,
                attributes, commit));
    }

    public ManagedObject getObject(Caller caller, String objectId) {
        return pipeline.read(caller, "object.get", Right.READ_METADATA, object(objectId),
                () -> objects.get(caller.tenant(), objectId));
    }

    public List<ManagedObject> listObjects(Caller caller) {
        return pipeline.read(caller, "object.list", Right.READ_METADATA, "objects", () -> objects.list(caller.tenant()));
    }

    /** The object's value: never a sensitive one; a secret one (secret data, opaque) only when exportable. */
    public Bytes objectValue(Caller caller, String objectId) {
        return pipeline.read(caller, "object.export", Right.CRYPTO, object(objectId),
                () -> objects.value(caller.tenant(), objectId));
    }

    /**
     * Replaces the object's front-end attributes if they still are {@code expected} (what the
     * caller read before changing them); FAILED_PRECONDITION if another call changed them since.
     */
    public ManagedObject replaceObjectAttributes(Caller caller, String objectId, Map<String, String> expected,
                                                 Map<String, String> attributes) {
        return replaceObjectAttributes(caller, objectId, expected, () -> attributes);
    }

    /**
     * {@link #replaceObjectAttributes} with the attributes {@code attributes} gives, asked only
     * once the caller's role may change the object, so that a front-end's own refusal in it (a
     * {@link KmsError}) never hides a denial.
     */
    public ManagedObject replaceObjectAttributes(Caller caller, String objectId, Map<String, String> expected,
                                                 Supplier<Map<String, String>> attributes) {
        return pipeline.run(caller, "object.set-attributes", Right.LIFECYCLE, object(objectId),
                commit -> objects.replaceAttributes(caller.tenant(), objectId, expected, attributes.get(), commit));
    }

    /** Soft delete: unusable at once, erased after 30 days. */
    public ManagedObject deleteObject(Caller caller, String objectId) {
        return pipeline.run(caller, "object.delete", Right.LIFECYCLE, object(objectId),
                commit -> objects.delete(caller.tenant(), objectId, commit));
    }

    // --- wrapping keys ---------------------------------------------------------------------

    public WrappingKey createWrappingKey(Caller caller, CreateWrappingKey request) {
        return pipeline.run(caller, "wrappingkey.create", Right.LIFECYCLE, ring(request.keyRingId()) + "/wrappingkeys",
                commit -> wrappingKeys.create(caller.tenant(), request, commit));
    }

    public List<WrappingKey> listWrappingKeys(Caller caller, String keyRingId) {
        return pipeline.read(caller, "wrappingkey.list", Right.READ_METADATA, ring(keyRingId) + "/wrappingkeys",
                () -> wrappingKeys.list(caller.tenant(), keyRingId));
    }

    public WrappingKey getWrappingKey(Caller caller, String keyRingId, String wrappingKeyId) {
        return pipeline.read(caller, "wrappingkey.get", Right.READ_METADATA,
                ring(keyRingId) + "/wrappingkeys/" + wrappingKeyId,
                () -> wrappingKeys.get(caller.tenant(), keyRingId, wrappingKeyId));
    }

    public void deleteWrappingKey(Caller caller, String keyRingId, String wrappingKeyId) {
        pipeline.run(caller, "wrappingkey.delete", Right.LIFECYCLE, ring(keyRingId) + "/wrappingkeys/" + wrappingKeyId,
                commit -> {
                    wrappingKeys.delete(caller.tenant(), keyRingId, wrappingKeyId, commit);
                    return null;
                });
    }

    // --- exports ---------------------------------------------------------------------------

    public MetadataExport exportMetadata(Caller caller) {
        return pipeline.read(caller, "export.metadata", Right.EXPORT, "", () -> metadata(caller.tenant()));
    }

    /** The KMS instance's audit records with {@code from <= time < to}, in sequence order. */
    public List<AuditRecord> exportAudit(Caller caller, Instant from, Instant to) {
        return pipeline.read(caller, "export.audit", Right.EXPORT, "", () -> {
            if (!from.isBefore(to)) {
                throw KmsError.invalid("from must be before to");
            }
            return audit.export(caller.tenant().path(), from, to);
        });
    }

    /**
     * Live (not purged) key versions per KMS instance: what STACKIT bills by the hour, for the
     * operator's metrics. Neither counted against budgets nor audited; empty while sealed.
     */
    public Map<TenantId, Long> keyVersionCounts() {
        if (!ready.getAsBoolean()) {
            return Map.of();
        }
        Map<TenantId, Long> counts = new java.util.LinkedHashMap<>();
        for (var project : projects.list()) {
            for (String region : Regions.ALL) {
                TenantId tenant = new TenantId(project.id(), region);
                counts.put(tenant, keys.listAllKeys(tenant).stream()
                        .mapToLong(k -> keys.listVersions(tenant, KeyRef.byId(k.id())).size()).sum());
            }
        }
        return counts;
    }

    /** Erases keys, versions and objects whose 30-day window has passed, in every project; answers how many. */
    public int purgeExpired() {
        return purgeExpired(() -> false);
    }

    /**
     * The same, but stops between two erased items (each is its own commit) once {@code stopRequested}
     * answers true, so a run that closing stops waits for one commit, not for the rest of the run.
     */
    public int purgeExpired(BooleanSupplier stopRequested) {
        List<TenantId> tenants = Regions.tenants(projects);
        KeyService.PurgeCommit commit = (tenant, resource) -> batch -> audit.record(
                new AuditEvent(clock.instant(), "system:purger", tenant.path(), "purge", resource, AuditEvent.OK, Map.of()),
                batch);
        return keys.purgeExpired(tenants, commit, stopRequested) + objects.purgeExpired(tenants, commit, stopRequested)
                + wrappingKeys.purgeExpired(tenants, commit, stopRequested);
    }

    private MetadataExport metadata(TenantId tenant) {
        List<MetadataExport.RingExport> rings = keys.listKeyRings(tenant).stream().map(ring -> {
            List<MetadataExport.KeyExport> ringKeys = keys.listKeys(tenant, ring.id()).stream()
                    .map(k -> new MetadataExport.KeyExport(k, keys.listVersions(tenant, KeyRef.of(ring.id(), k.id()))))
                    .toList();
            return new MetadataExport.RingExport(ring, ringKeys, wrappingKeys.list(tenant, ring.id()));
        }).toList();
        int keyCount = rings.stream().mapToInt(r -> r.keys().size()).sum();
        int versionCount = rings.stream().flatMap(r -> r.keys().stream()).mapToInt(k -> k.versions().size()).sum();
        int wrappingCount = rings.stream().mapToInt(r -> r.wrappingKeys().size()).sum();
        return new MetadataExport(tenant.projectId(), tenant.regionId(), clock.instant(),
                new MetadataExport.Counts(rings.size(), keyCount, versionCount, wrappingCount), rings);
    }

    /** What the caller's project allows legacy KMIP clients. */
    private KmipLegacy legacy(Caller caller) {
        return projects.get(caller.tenant().projectId()).kmipLegacy();
    }

    private static String object(String objectId) {
        return "objects/" + objectId;
    }

    private static String ring(String keyRingId) {
        return "keyrings/" + keyRingId;
    }

    private static String key(KeyRef ref) {
        return ref.keyRingId().map(r -> ring(r) + "/").orElse("") + "keys/" + ref.keyId();
    }

    private static String version(VersionRef ref) {
        return key(ref.key()) + "/versions/" + (ref.isPrimary() ? "primary" : Long.toString(ref.number()));
    }
}
