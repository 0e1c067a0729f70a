package dev.tresor.kms.service;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.WrappingKey;
import dev.tresor.kms.tenant.Caller;
import java.util.List;

/**
 * The one service API every front-end calls. Synchronous and thread-safe: front-ends call it
 * from worker threads, never from an event loop. Each call runs rate limit → authorisation →
 * attestation gate → operation → audit, and fails only with {@link KmsError}.
 */
public final class KeyManagement {
    private static UnsupportedOperationException building() {
        return new UnsupportedOperationException("being built");
    }

    // --- key rings -------------------------------------------------------------------------

    public KeyRing createKeyRing(Caller caller, CreateKeyRing request) { throw building(); }

    public List<KeyRing> listKeyRings(Caller caller) { throw building(); }

    public KeyRing getKeyRing(Caller caller, String keyRingId) { throw building(); }

    /** Refused (FAILED_PRECONDITION) while the ring holds any key or live wrapping key. */
    public void deleteKeyRing(Caller caller, String keyRingId) { throw building(); }

    // --- keys ------------------------------------------------------------------------------

    /** Creates the key and, unless import-only, its first version (state {@code active}). */
    public Key createKey(Caller caller, CreateKey request) { throw building(); }

    public List<Key> listKeys(Caller caller, String keyRingId) { throw building(); }

    /** Every key of the caller's KMS instance, in every ring (KMIP Locate). */
    public List<Key> listAllKeys(Caller caller) { throw building(); }

    public Key getKey(Caller caller, KeyRef ref) { throw building(); }

    /** Soft delete: state {@code deleted}, {@code deletionDate} 30 days ahead, unusable until restored. */
    public Key deleteKey(Caller caller, KeyRef ref) { throw building(); }

    public Key restoreKey(Caller caller, KeyRef ref) { throw building(); }

    /** Adds a generated version that becomes primary; PERMISSION_DENIED for an import-only key. */
    public KeyVersion rotateKey(Caller caller, KeyRef ref) { throw building(); }

    /** BYOK: adds a version from material wrapped to a wrapping key of the same ring. */
    public KeyVersion importKey(Caller caller, KeyRef ref, String wrappingKeyId, Bytes wrappedKey) { throw building(); }

    /** Adds a version from plain material (KMIP Register over mutual TLS). */
    public KeyVersion importPlainKey(Caller caller, KeyRef ref, Bytes material) { throw building(); }

    /** Replaces the key's front-end attributes (KMIP Name, stored parameters, links ...). */
    public Key setAttributes(Caller caller, KeyRef ref, java.util.Map<String, String> attributes) { throw building(); }

    // --- versions --------------------------------------------------------------------------

    public List<KeyVersion> listVersions(Caller caller, KeyRef ref) { throw building(); }

    public KeyVersion getVersion(Caller caller, VersionRef ref) { throw building(); }

    public KeyVersion disableVersion(Caller caller, VersionRef ref) { throw building(); }

    public KeyVersion enableVersion(Caller caller, VersionRef ref) { throw building(); }

    /** Soft destroy: state {@code destroyed}, {@code destroyDate} 30 days ahead. */
    public KeyVersion destroyVersion(Caller caller, VersionRef ref) { throw building(); }

    /** Within the window, returns the version to the state it had before destroy. */
    public KeyVersion restoreVersion(Caller caller, VersionRef ref) { throw building(); }

    // --- cryptography ----------------------------------------------------------------------

    public Encrypted encrypt(Caller caller, EncryptRequest request) { throw building(); }

    public Bytes decrypt(Caller caller, DecryptRequest request) { throw building(); }

    public Bytes sign(Caller caller, SignRequest request) { throw building(); }

    public boolean verify(Caller caller, SignRequest request, Bytes signature) { throw building(); }

    /** Plain material (raw symmetric, PKCS#8 private) of an {@code exportable} key's version; else PERMISSION_DENIED. */
    public Bytes exportMaterial(Caller caller, VersionRef ref) { throw building(); }

    /** DER SubjectPublicKeyInfo of an asymmetric key's version. */
    public Bytes publicKey(Caller caller, VersionRef ref) { throw building(); }

    public Bytes random(Caller caller, int length) { throw building(); }

    /** {@code hash}: SHA-256, SHA-384 or SHA-512 (JCA names). */
    public Bytes hash(Caller caller, String hash, Bytes data) { throw building(); }

    // --- wrapping keys ---------------------------------------------------------------------

    public WrappingKey createWrappingKey(Caller caller, CreateWrappingKey request) { throw building(); }

    public List<WrappingKey> listWrappingKeys(Caller caller, String keyRingId) { throw building(); }

    public WrappingKey getWrappingKey(Caller caller, String keyRingId, String wrappingKeyId) { throw building(); }

    public void deleteWrappingKey(Caller caller, String keyRingId, String wrappingKeyId) { throw building(); }

    // --- exports ---------------------------------------------------------------------------

    public MetadataExport exportMetadata(Caller caller) { throw building(); }
}
