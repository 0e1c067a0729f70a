package dev.tresor.kms.service;

import dev.tresor.kms.key.Scheme;
import java.util.Objects;
import java.util.Optional;

/**
 * Encrypts (or, with a key-wrap scheme, wraps) up to 64 KiB. {@code scheme} empty = the key's
 * pinned scheme, else the type's default (AES-GCM, RSA-OAEP-SHA256). {@code iv} empty = a
 * server-generated 96-bit nonce. {@code envelope}: answer the Tresor ciphertext format (REST,
 * PKCS#11 vendor mechanism) instead of raw IV, data and tag (KMIP).
 */
public record EncryptRequest(VersionRef target, Bytes plaintext, Optional<Scheme> scheme, Optional<Bytes> aad,
                             Optional<Bytes> iv, boolean envelope) {
    public EncryptRequest {
        Objects.requireNonNull(target);
        Objects.requireNonNull(plaintext);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(aad);
        Objects.requireNonNull(iv);
    }

    public static EncryptRequest envelope(VersionRef target, Bytes plaintext) {
        return new EncryptRequest(target, plaintext, Optional.empty(), Optional.empty(), Optional.empty(), true);
    }
}
