package dev.tresor.kms.service;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer to an {@link EncryptionPart}: the ciphertext this part produced (with the IV on the
 * first part, the tag on the last), and the stream to name in the next part while it stays open.
 */
public record EncryptedPart(Encrypted encrypted, Optional<Bytes> stream) {
    public EncryptedPart {
        Objects.requireNonNull(encrypted);
        Objects.requireNonNull(stream);
    }
}
