package dev.tresor.kms.key;

import java.util.Objects;
import java.util.Optional;

/**
 * The SHA-256 digests (hex) of a version's key, made when its material is generated or imported
 * and kept with the version, so they stay readable after the version is disabled or destroyed
 * (see {@link dev.tresor.kms.crypto.KeyDigests} for what is hashed). {@code publicKey} is there
 * for an asymmetric key only.
 */
public record VersionDigests(String material, Optional<String> publicKey) {
    public VersionDigests {
        Objects.requireNonNull(material);
        Objects.requireNonNull(publicKey);
    }
}
