package dev.tresor.kms.service;

import dev.tresor.kms.key.Key.AccessScope;
import dev.tresor.kms.key.WrappingAlgorithm;
import dev.tresor.kms.key.WrappingKey;
import java.util.Objects;
import java.util.Optional;

public record CreateWrappingKey(String keyRingId, String displayName, Optional<String> description,
                                WrappingAlgorithm algorithm, WrappingKey.Purpose purpose, String protection,
                                AccessScope accessScope) {
    public CreateWrappingKey {
        Objects.requireNonNull(keyRingId);
        Objects.requireNonNull(displayName);
        Objects.requireNonNull(description);
        Objects.requireNonNull(algorithm);
        Objects.requireNonNull(purpose);
        Objects.requireNonNull(protection);
        Objects.requireNonNull(accessScope);
    }
}
