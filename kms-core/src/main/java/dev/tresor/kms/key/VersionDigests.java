package dev.tresor.kms.key;

import dev.tresor.kms.tenant.Right;
import dev.tresor.kms.tenant.Role;
import java.util.Objects;
import java.util.Optional;

/**
 * The SHA-256 digests (hex) of a version's key, made when its material is generated or imported
 * and kept with the version, so they stay readable after the version is disabled or destroyed
 * (see {@link dev.tresor.kms.crypto.KeyDigests} for what is hashed). {@code publicKey} is there
 * for an asymmetric key only. The material's digest is an offline test for a guessed key (an
 * imported HMAC key is often a shared password), so only a role that may use the key reads it.
 */
public record VersionDigests(String material, Optional<String> publicKey) {
    public VersionDigests {
        Objects.requireNonNull(material);
        Objects.requireNonNull(publicKey);
    }

    /** The material's digest for a caller in {@code role}: only one that may use the key gets it. */
    public Optional<String> materialFor(Role role) {
        return role.allows(Right.CRYPTO) ? Optional.of(material) : Optional.empty();
    }
}
