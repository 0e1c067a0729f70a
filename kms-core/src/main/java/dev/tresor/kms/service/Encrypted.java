package dev.tresor.kms.service;

import dev.tresor.kms.key.Scheme;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of an encryption: the version and scheme used, and either the whole Tresor envelope
 * in {@code data} (iv and tag empty) or the raw ciphertext with its IV and AES-GCM tag apart.
 */
public record Encrypted(long version, Scheme scheme, Bytes data, Optional<Bytes> iv, Optional<Bytes> tag) {
    public Encrypted {
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(data);
        Objects.requireNonNull(iv);
        Objects.requireNonNull(tag);
    }
}
