package dev.tresor.kms.service;

import java.util.Objects;
import java.util.Optional;

public record CreateKeyRing(String displayName, Optional<String> description) {
    public CreateKeyRing {
        Objects.requireNonNull(displayName);
        Objects.requireNonNull(description);
    }
}
