package dev.tresor.kms.service;

import dev.tresor.kms.key.Scheme;
import java.util.Objects;
import java.util.Optional;

/**
 * Decrypts (or unwraps). With {@code envelope}, {@code data} is a Tresor ciphertext whose header
 * must name the target version; otherwise it is raw ciphertext with the IV and tag given apart.
 */
public record DecryptRequest(VersionRef target, Bytes data, Optional<Scheme> scheme, Optional<Bytes> aad,
                             Optional<Bytes> iv, Optional<Bytes> tag, boolean envelope) {
    public DecryptRequest {
        Objects.requireNonNull(target);
        Objects.requireNonNull(data);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(aad);
        Objects.requireNonNull(iv);
        Objects.requireNonNull(tag);
    }

    public static DecryptRequest envelope(VersionRef target, Bytes envelope) {
        return new DecryptRequest(target, envelope, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), true);
    }
}
