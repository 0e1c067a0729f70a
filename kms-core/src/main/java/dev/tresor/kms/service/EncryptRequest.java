package dev.tresor.kms.service;

import dev.tresor.kms.key.Scheme;
import java.util.Objects;
import java.util.Optional;

/**
 * Encrypts (or, with a key-wrap scheme, wraps) up to 64 KiB. {@code scheme} empty = the key's
 * pinned scheme, else the type's default (AES-GCM, RSA-OAEP-SHA256). {@code iv} empty = a
 * server-generated 96-bit nonce. {@code envelope}: answer the Tresor ciphertext format (REST,
 * PKCS#11 vendor mechanism) instead of raw IV, data and tag (KMIP). {@code tagBytes}: the length
 * of an AEAD scheme's tag, 12 to 16 bytes (empty = 16); a shorter tag is the full tag's leading
 * bytes.
 */
public record EncryptRequest(VersionRef target, Bytes plaintext, Optional<Scheme> scheme, Optional<Bytes> aad,
                             Optional<Bytes> iv, boolean envelope, Optional<Integer> tagBytes) {
    public EncryptRequest {
        Objects.requireNonNull(target);
        Objects.requireNonNull(plaintext);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(aad);
        Objects.requireNonNull(iv);
        Objects.requireNonNull(tagBytes);
    }

    /** A request with the full-length tag. */
    public EncryptRequest(VersionRef target, Bytes plaintext, Optional<Scheme> scheme, Optional<Bytes> aad,
                          Optional<Bytes> iv, boolean envelope) {
        this(target, plaintext, scheme, aad, iv, envelope, Optional.empty());
    }

    public static EncryptRequest envelope(VersionRef target, Bytes plaintext) {
        return new EncryptRequest(target, plaintext, Optional.empty(), Optional.empty(), Optional.empty(), true);
    }
}
