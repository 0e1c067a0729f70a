package dev.tresor.kms.key;

import dev.tresor.kms.crypto.CipherOutput;
import dev.tresor.kms.crypto.CipherStream;
import dev.tresor.kms.crypto.CiphertextEnvelope;
import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.crypto.LoadedKey;
import dev.tresor.kms.crypto.PssSalt;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.DecryptRequest;
import dev.tresor.kms.service.EncryptRequest;
import dev.tresor.kms.service.Encrypted;
import dev.tresor.kms.service.EncryptedPart;
import dev.tresor.kms.service.EncryptionPart;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.SignRequest;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.TenantId;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Using keys: encrypt, decrypt, sign, verify. Sizes are checked before any work; the scheme is
 * the request's, else the one the key's algorithm pins, else the key type's default. Encrypt and
 * sign (the protecting uses) run within the key's usage limit, if it has one.
 */
public final class KeyCryptography {
    /** The most plaintext (or message to sign) one call takes: 64 KiB. */
    public static final int MAX_DATA = 65_536;
    /** Room for the envelope header, nonce and tag, or an RSA-4096 block, above {@link #MAX_DATA}. */
    private static final int MAX_CIPHERTEXT_OVERHEAD = 1024;

    private final KeyService keys;
    private final Crypto crypto;
    private final EncryptionStreams streams;

    public KeyCryptography(KeyService keys, Crypto crypto) {
        this.keys = keys;
        this.crypto = crypto;
        this.streams = new EncryptionStreams(keys.clock(), crypto.random());
    }

    /** {@code commit} takes the batch that lowers the key's usage limit, if it has one. */
    public Encrypted encrypt(TenantId tenant, EncryptRequest request, Consumer<BarrierStore.Batch> commit) {
        Key key = keys.key(tenant, request.target().key());
        Scheme scheme = checkedCipherScheme(key, request);
        boolean envelope = request.envelope() && scheme == Scheme.AES_GCM;
        return keys.withinUsageLimit(tenant, key, request.plaintext().length(), commit,
                () -> encrypt(tenant, key, scheme, request, envelope));
    }

    /**
     * Wraps key material under {@code wrapper} with AES key wrap (RFC 3394 or RFC 5649). The
     * wrapping key is checked in full (scheme, usage, a usable version) before {@code material} is
     * asked for, so a refused wrapper never has material read; what it gives is zeroed once wrapped.
     */
    public Encrypted wrapKey(TenantId tenant, VersionRef wrapper, Scheme scheme, Supplier<Bytes> material,
                             Consumer<BarrierStore.Batch> commit) {
        if (scheme != Scheme.AES_KEY_WRAP && scheme != Scheme.AES_KEY_WRAP_PAD) {
            throw KmsError.invalid("a key is wrapped with AES_KEY_WRAP or AES_KEY_WRAP_PAD, not " + scheme);
        }
        Key key = keys.key(tenant, wrapper.key());
        scheme(key, Optional.of(scheme), Scheme.Operation.CIPHER);
        requireCipherUsage(key, scheme, KeyUsage.ENCRYPT, KeyUsage.WRAP);
        keys.usableMaterial(tenant, key, keys.version(tenant, wrapper), UsePeriod.Use.PROTECT);
        Bytes plain = material.get();
        try {
            return encrypt(tenant, new EncryptRequest(wrapper, plain, Optional.of(scheme), Optional.empty(),
                    Optional.empty(), false), commit);
        } finally {
            plain.zero();
        }
    }

    /** The scheme of an encryption, once every check of the request against the key has passed. */
    private static Scheme checkedCipherScheme(Key key, EncryptRequest request) {
        checkLimit("plaintext", request.plaintext(), MAX_DATA);
        Scheme scheme = scheme(key, request.scheme(), Scheme.Operation.CIPHER);
        if (!emptyAllowed(scheme, request.envelope())) {
            checkNotEmpty("plaintext", request.plaintext());
        }
        requireCipherUsage(key, scheme, KeyUsage.ENCRYPT, KeyUsage.WRAP);
        checkTagBytes(scheme, request.tagBytes());
        refuseDecryptionOracle(key, scheme, request.iv().isPresent());
        if (scheme.family() == KeyType.Family.RSA) {
            int max = Crypto.maxOaepPlaintext(key.type(), scheme);
            if (request.plaintext().length() > max) {
                throw KmsError.invalid("plaintext is " + request.plaintext().length() + " bytes; "
                        + key.type() + " with " + scheme + " encrypts at most " + max + " bytes");
            }
        }
        if (request.envelope() && scheme == Scheme.AES_GCM && request.iv().isPresent()) {
            throw KmsError.invalid("the Tresor ciphertext format always uses a server-generated nonce");
        }
        return scheme;
    }

    /**
     * One part of an encryption fed in parts ({@link EncryptionPart}), for the AEAD schemes. The
     * first part is checked like a whole encryption; every part is at most 64 KiB, all the parts
     * of one stream together too, and each spends the key's usage limit. A later part needs the
     * key and version still usable; a part that fails ends its stream.
     */
    public EncryptedPart encryptPart(TenantId tenant, Principal principal, EncryptionPart part,
                                     Consumer<BarrierStore.Batch> commit) {
        if (part.stream().isPresent()) {
            return laterPart(tenant, principal, part, commit);
        }
        if (part.last()) {
            return new EncryptedPart(encrypt(tenant, part.request(), commit), Optional.empty());
        }
        EncryptRequest request = part.request();
        Key key = keys.key(tenant, request.target().key());
        Scheme scheme = checkedCipherScheme(key, request);
        if (!scheme.isAead() || request.envelope()) {
            throw KmsError.invalid("encryption in parts is offered for AES_GCM and CHACHA20_POLY1305 (raw), not "
                    + scheme + (request.envelope() ? " in the Tresor ciphertext format" : ""));
        }
        streams.requireRoom(tenant, principal);
        return keys.withinUsageLimit(tenant, key, request.plaintext().length(), commit, () -> {
            KeyVersion version = keys.version(tenant, request.target());
            LoadedKey loaded = keys.usableMaterial(tenant, key, version, UsePeriod.Use.PROTECT);
            CipherStream stream = crypto.startEncryption(loaded, scheme,
                    request.iv().map(Bytes::toArray).orElse(null), request.aad().map(Bytes::toArray).orElse(null));
            byte[] out = stream.update(request.plaintext().toArray());
            Bytes name = streams.put(new EncryptionStreams.Open(tenant, principal, key.id(), version.number(), stream,
                    request.tagBytes(), request.plaintext().length(), streams.now()));
            return new EncryptedPart(new Encrypted(version.number(), scheme, Bytes.wrap(out),
                    Optional.of(Bytes.wrap(stream.iv())), Optional.empty()), Optional.of(name));
        });
    }

    private EncryptedPart laterPart(TenantId tenant, Principal principal, EncryptionPart part,
                                    Consumer<BarrierStore.Batch> commit) {
        EncryptRequest request = part.request();
        checkLimit("plaintext", request.plaintext(), MAX_DATA);
        if (request.iv().isPresent() || request.aad().isPresent() || request.envelope()) {
            throw KmsError.invalid("only the first part of an encryption in parts takes an IV or associated data");
        }
        Bytes name = part.stream().orElseThrow();
        EncryptionStreams.Open open = streams.take(name, tenant, principal);
        Scheme scheme = open.cipher().scheme();
        VersionRef target = request.target();
        if (!target.key().keyId().equals(open.keyId()) || (!target.isPrimary() && target.number() != open.version())) {
            throw KmsError.invalid("this encryption in parts was started with another key or version");
        }
        if (request.scheme().filter(s -> s != scheme).isPresent()
                || request.tagBytes().filter(n -> n != open.tagBytes().orElse(Scheme.AEAD_TAG_BYTES)).isPresent()) {
            throw KmsError.invalid("a later part may not change the scheme or tag length of an encryption in parts");
        }
        long total = open.plaintextBytes() + request.plaintext().length();
        if (total > MAX_DATA) {
            throw KmsError.invalid("the parts of one encryption are at most " + MAX_DATA + " bytes together; this part"
                    + " makes " + total);
        }
        Key key = keys.key(tenant, target.key());
        EncryptedPart answer = keys.withinUsageLimit(tenant, key, request.plaintext().length(), commit, () -> {
            keys.usableMaterial(tenant, key, keys.version(tenant, target.key().version(open.version())),
                    UsePeriod.Use.PROTECT);
            if (!part.last()) {
                return new EncryptedPart(new Encrypted(open.version(), scheme,
                        Bytes.wrap(open.cipher().update(request.plaintext().toArray())), Optional.empty(),
                        Optional.empty()), Optional.of(name));
            }
            CipherOutput out = open.cipher().finish(request.plaintext().toArray());
            int tagBytes = open.tagBytes().orElse(Scheme.AEAD_TAG_BYTES);
            return new EncryptedPart(new Encrypted(open.version(), scheme, Bytes.wrap(out.ciphertext()),
                    Optional.empty(), Optional.of(Bytes.wrap(Arrays.copyOf(out.tag(), tagBytes)))), Optional.empty());
        });
        if (!part.last()) {
            streams.putBack(name, open.after(request.plaintext().length(), streams.now()));
        }
        return answer;
    }

    private Encrypted encrypt(TenantId tenant, Key key, Scheme scheme, EncryptRequest request, boolean envelope) {
        KeyVersion version = keys.version(tenant, request.target());
        LoadedKey loaded = keys.usableMaterial(tenant, key, version, UsePeriod.Use.PROTECT);
        byte[] aad = request.aad().map(Bytes::toArray).orElse(null);
        if (envelope) {
            byte[] data = crypto.encryptEnvelope(loaded, version.number(), request.plaintext().toArray(), aad);
            return new Encrypted(version.number(), scheme, Bytes.wrap(data), Optional.empty(), Optional.empty());
        }
        CipherOutput out = crypto.encrypt(loaded, scheme, request.plaintext().toArray(),
                request.iv().map(Bytes::toArray).orElse(null), aad);
        int tagBytes = request.tagBytes().orElse(Scheme.AEAD_TAG_BYTES);
        return new Encrypted(version.number(), scheme, Bytes.wrap(out.ciphertext()),
                Optional.ofNullable(out.iv()).map(Bytes::wrap),
                Optional.ofNullable(out.tag()).map(tag -> Bytes.wrap(Arrays.copyOf(tag, tagBytes))));
    }

    public Bytes decrypt(TenantId tenant, DecryptRequest request) {
        checkLimit("ciphertext", request.data(), MAX_DATA + MAX_CIPHERTEXT_OVERHEAD);
        Key key = keys.key(tenant, request.target().key());
        Scheme scheme = scheme(key, request.scheme(), Scheme.Operation.CIPHER);
        if (!emptyAllowed(scheme, request.envelope())) {
            checkNotEmpty("ciphertext", request.data());
        }
        requireCipherUsage(key, scheme, KeyUsage.DECRYPT, KeyUsage.UNWRAP);
        checkTagBytes(scheme, request.tagBytes());
        if (request.tagBytes().isPresent() && request.tag().isPresent()
                && request.tag().get().length() != request.tagBytes().get()) {
            throw KmsError.invalid("the tag is " + request.tag().get().length() + " bytes, not the "
                    + request.tagBytes().get() + " bytes the tag length asks for");
        }
        if (request.envelope() && scheme == Scheme.AES_GCM) {
            CiphertextEnvelope.Parsed parsed = CiphertextEnvelope.decode(request.data().toArray());
            VersionRef target = request.target();
            if (!target.isPrimary() && target.number() != parsed.version()) {
                throw KmsError.invalid("ciphertext was made with version " + parsed.version()
                        + ", not version " + target.number());
            }
            KeyVersion version = keys.version(tenant, target.key().version(parsed.version()));
            LoadedKey loaded = keys.usableMaterial(tenant, key, version, UsePeriod.Use.PROCESS);
            return Bytes.wrap(crypto.decryptEnvelope(loaded, parsed, request.aad().map(Bytes::toArray).orElse(null)));
        }
        KeyVersion version = keys.version(tenant, request.target());
        LoadedKey loaded = keys.usableMaterial(tenant, key, version, UsePeriod.Use.PROCESS);
        return Bytes.wrap(crypto.decrypt(loaded, scheme, request.iv().map(Bytes::toArray).orElse(null),
                request.data().toArray(), request.tag().map(Bytes::toArray).orElse(null),
                request.aad().map(Bytes::toArray).orElse(null)));
    }

    /**
     * {@code commit} takes the batch that lowers the key's usage limit, if it has one; the project's
     * {@code legacy} opt-ins decide whether an AES key that also ciphers may MAC.
     */
    public Bytes sign(TenantId tenant, SignRequest request, KmipLegacy legacy, Consumer<BarrierStore.Batch> commit) {
        checkSize("data", request.data(), MAX_DATA);
        Key key = keys.key(tenant, request.target().key());
        Scheme scheme = signingScheme(key, request, KeyUsage.SIGN, KeyUsage.MAC_GENERATE, legacy);
        return keys.withinUsageLimit(tenant, key, request.data().length(), commit, () -> {
            KeyVersion version = keys.version(tenant, request.target());
            LoadedKey loaded = keys.usableMaterial(tenant, key, version, UsePeriod.Use.PROTECT);
            return Bytes.wrap(crypto.sign(loaded, scheme, request.data().toArray(), request.prehashed()));
        });
    }

    public boolean verify(TenantId tenant, SignRequest request, KmipLegacy legacy, Bytes signature) {
        checkSize("data", request.data(), MAX_DATA);
        checkSize("signature", signature, MAX_CIPHERTEXT_OVERHEAD);
        Key key = keys.key(tenant, request.target().key());
        Scheme scheme = signingScheme(key, request, KeyUsage.VERIFY, KeyUsage.MAC_VERIFY, legacy);
        KeyVersion version = keys.version(tenant, request.target());
        LoadedKey loaded = keys.usableMaterial(tenant, key, version, UsePeriod.Use.PROCESS);
        PssSalt salt = key.algorithm().isPresent() ? PssSalt.HASH_LENGTH : PssSalt.ANY;
        return crypto.verify(loaded, scheme, request.data().toArray(), request.prehashed(), signature.toArray(), salt);
    }

    /** DER SubjectPublicKeyInfo of an asymmetric version (readable while the version is not usable, too). */
    public Bytes publicKey(TenantId tenant, VersionRef ref) {
        Key key = keys.key(tenant, ref.key());
        if (!key.type().isAsymmetric()) {
            throw KmsError.invalid("key " + key.id() + " is symmetric and has no public key");
        }
        KeyVersion version = keys.version(tenant, ref);
        String pem = version.publicKeyPem()
                .orElseThrow(() -> KmsError.internal("version " + version.number() + " lacks its public key", null));
        Bytes der = Bytes.wrap(PublicKeyPem.toDer(pem));
        keys.markServed(tenant, version, KeyVersion.Half.PUBLIC_KEY);
        return der;
    }

    /** The signature or MAC scheme of a call, if the key has the usage it needs ({@code signature} or {@code mac}). */
    private Scheme signingScheme(Key key, SignRequest request, KeyUsage signature, KeyUsage mac, KmipLegacy legacy) {
        boolean isMac = key.type().family() == KeyType.Family.HMAC
                || request.scheme().map(s -> s.operation() == Scheme.Operation.MAC).orElse(false);
        Scheme scheme = scheme(key, request.scheme(), isMac ? Scheme.Operation.MAC : Scheme.Operation.SIGNATURE);
        KeyUsage needed = isMac ? mac : signature;
        if (!key.allows(needed)) {
            throw KmsError.invalid("key " + key.id() + " does not allow " + usageName(needed) + " (scheme " + scheme + ")");
        }
        if (isMac) {
            // a record stored before the rule may hold both; its bytes must not key an HMAC then,
            // unless its project opted in for legacy KMIP clients
            Usages.conflict(key.type(), key.usages(), legacy).ifPresent(conflict -> {
                throw KmsError.invalid("key " + key.id() + " cannot compute a MAC: " + conflict);
            });
        }
        return scheme;
    }

    private static Scheme scheme(Key key, Optional<Scheme> requested, Scheme.Operation operation) {
        Scheme scheme = requested.or(() -> key.algorithm().map(Algorithm::scheme).filter(s -> s.operation() == operation))
                .orElseGet(() -> defaultScheme(key.type(), operation));
        if (!scheme.fits(key.type()) || scheme.operation() != operation) {
            throw KmsError.invalid(scheme + " cannot be used with a " + key.type() + " key for this operation");
        }
        key.algorithm().ifPresent(algorithm -> {
            if (algorithm.scheme() != scheme) {
                throw KmsError.invalid("key " + key.id() + " has algorithm " + algorithm.wireName()
                        + ", which allows only " + algorithm.scheme());
            }
        });
        return scheme;
    }

    private static Scheme defaultScheme(KeyType type, Scheme.Operation operation) {
        return switch (operation) {
            case CIPHER -> switch (type.family()) {
                case AES -> Scheme.AES_GCM;
                case CHACHA20 -> Scheme.valueOf(type.name());
                case RSA -> Scheme.RSA_OAEP_SHA256;
                default -> throw KmsError.invalid("a " + type + " key cannot encrypt");
            };
            case SIGNATURE -> switch (type) {
                case RSA_2048, RSA_3072, RSA_4096 -> Scheme.RSA_PSS_SHA256;
                case EC_P256 -> Scheme.ECDSA_SHA256;
                case EC_P384 -> Scheme.ECDSA_SHA384;
                case EC_P521 -> Scheme.ECDSA_SHA512;
                default -> throw KmsError.invalid("a " + type + " key cannot sign");
            };
            case MAC -> switch (type) {
                case HMAC_SHA256 -> Scheme.HMAC_SHA256;
                case HMAC_SHA384 -> Scheme.HMAC_SHA384;
                case HMAC_SHA512 -> Scheme.HMAC_SHA512;
                default -> throw KmsError.invalid("a " + type + " key cannot compute a MAC");
            };
        };
    }

    /**
     * A cipher call needs {@code usage}; a wrapping scheme (AES key wrap, RSA-OAEP) may use
     * {@code wrapUsage} instead.
     */
    private static void requireCipherUsage(Key key, Scheme scheme, KeyUsage usage, KeyUsage wrapUsage) {
        boolean wrapping = scheme == Scheme.AES_KEY_WRAP || scheme == Scheme.AES_KEY_WRAP_PAD
                || scheme.family() == KeyType.Family.RSA;
        if (!key.allows(usage) && !(wrapping && key.allows(wrapUsage))) {
            throw KmsError.invalid("key " + key.id() + " does not allow " + usageName(usage) + " (scheme " + scheme + ")");
        }
    }

    /** A tag length is for an AEAD scheme only, and within the bounds {@link Scheme#takesTagBytes} sets. */
    private static void checkTagBytes(Scheme scheme, Optional<Integer> tagBytes) {
        if (tagBytes.isPresent() && !scheme.takesTagBytes(tagBytes.get())) {
            throw KmsError.invalid(scheme.isAead()
                    ? "tag length " + tagBytes.get() + " is not offered: " + scheme + " tags are "
                            + Scheme.MIN_AEAD_TAG_BYTES + " to " + Scheme.AEAD_TAG_BYTES + " bytes"
                    : scheme + " has no tag, so it takes no tag length");
        }
    }

    /**
     * With a caller-chosen GCM, CBC or ChaCha20 IV, or with ECB, encryption computes the raw block
     * cipher on chosen input (or the keystream of a chosen nonce), and so the keystream of any
     * earlier ciphertext: a decryption oracle. Only a key that may decrypt, and decrypt without
     * attestation, offers it.
     */
    private static void refuseDecryptionOracle(Key key, Scheme scheme, boolean chosenIv) {
        boolean ecb = scheme == Scheme.AES_ECB_NO_PADDING || scheme == Scheme.AES_ECB_PKCS7;
        boolean takesIv = scheme == Scheme.AES_GCM || scheme == Scheme.AES_CBC_PKCS7
                || scheme == Scheme.AES_CBC_NO_PADDING || scheme.family() == KeyType.Family.CHACHA20;
        if (!ecb && !(takesIv && chosenIv)) {
            return;
        }
        String what = ecb ? scheme.toString() : "a caller-chosen IV for " + scheme;
        if (!key.allows(KeyUsage.DECRYPT)) {
            throw KmsError.invalid(what + " needs a key that may also decrypt");
        }
        if (key.release().gatesDecrypt()) {
            throw KmsError.invalid(what + " is refused: key " + key.id()
                    + " requires attestation for decrypt, so it encrypts only with a server-chosen nonce");
        }
    }

    private static String usageName(KeyUsage usage) {
        return usage.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    static void checkSize(String field, Bytes value, int max) {
        checkLimit(field, value, max);
        checkNotEmpty(field, value);
    }

    private static void checkLimit(String field, Bytes value, int max) {
        if (value.length() > max) {
            throw KmsError.invalid(field + " is " + value.length() + " bytes; the limit is " + max + " bytes");
        }
    }

    private static void checkNotEmpty(String field, Bytes value) {
        if (value.isEmpty()) {
            throw KmsError.invalid(field + " must not be empty");
        }
    }

    /** A raw AEAD (IV and tag apart) may authenticate associated data alone, as PKCS#11 and KMIP allow. */
    private static boolean emptyAllowed(Scheme scheme, boolean envelope) {
        return scheme.isAead() && !envelope;
    }
}
