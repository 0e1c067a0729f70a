package dev.tresor.kms.key;

import dev.tresor.kms.crypto.Crypto;
import dev.tresor.kms.crypto.LoadedKey;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.tenant.TenantId;

/**
 * Public-key operations with a public key registered alone (a {@link ManagedObject} of type
 * public key): RSA-OAEP encrypt and signature verify, always with the key the core stored for that
 * object ({@link ObjectPublicKey}), parsed here. The object must exist, be a public key and not be
 * deleted, and its key must be an offered type that fits the scheme. Nothing secret is involved.
 */
public final class PublicKeyCryptography {
    private final ManagedObjects objects;
    private final Crypto crypto;

    public PublicKeyCryptography(ManagedObjects objects, Crypto crypto) {
        this.objects = objects;
        this.crypto = crypto;
    }

    public Bytes encrypt(TenantId tenant, String objectId, Scheme scheme, Bytes plaintext) {
        KeyCryptography.checkSize("plaintext", plaintext, KeyCryptography.MAX_DATA);
        LoadedKey key = load(tenant, objectId, scheme, Scheme.Operation.CIPHER);
        int max = Crypto.maxOaepPlaintext(key.type(), scheme);
        if (plaintext.length() > max) {
            throw KmsError.invalid("plaintext is " + plaintext.length() + " bytes; " + key.type() + " with " + scheme
                    + " encrypts at most " + max + " bytes");
        }
        return Bytes.wrap(crypto.encrypt(key, scheme, plaintext.toArray(), null, null).ciphertext());
    }

    public boolean verify(TenantId tenant, String objectId, Scheme scheme, Bytes data, boolean prehashed,
                          Bytes signature) {
        KeyCryptography.checkSize("data", data, KeyCryptography.MAX_DATA);
        KeyCryptography.checkSize("signature", signature, KeyCryptography.MAX_DATA);
        LoadedKey key = load(tenant, objectId, scheme, Scheme.Operation.SIGNATURE);
        return crypto.verify(key, scheme, data.toArray(), prehashed, signature.toArray());
    }

    private LoadedKey load(TenantId tenant, String objectId, Scheme scheme, Scheme.Operation operation) {
        ObjectPublicKey stored = objects.publicKey(tenant, objectId);
        if (scheme.operation() != operation) {
            throw KmsError.invalid("scheme " + scheme + " cannot be used for this operation");
        }
        LoadedKey key = LoadedKey.publicOnly(stored.subjectPublicKeyInfo());
        if (!scheme.fits(key.type())) {
            throw KmsError.invalid("scheme " + scheme + " does not fit a " + key.type() + " key");
        }
        return key;
    }
}
