package dev.tresor.kms.service;

import java.util.Objects;

/** Names one version of a key; {@link #PRIMARY} means the key's primary (newest enabled) version. */
public record VersionRef(KeyRef key, long number) {
    public static final long PRIMARY = 0;

    public VersionRef {
        Objects.requireNonNull(key);
        if (number < 0) {
            throw KmsError.invalid("version number must be positive");
        }
    }

    public boolean isPrimary() {
        return number == PRIMARY;
    }
}
