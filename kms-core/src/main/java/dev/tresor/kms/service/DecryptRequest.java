package dev.tresor.kms.service;

import dev.tresor.kms.key.Scheme;
import java.util.Objects;
import java.util.Optional;

/**
 * Decrypts (or unwraps). With {@code envelope}, {@code data} is a Tresor ciphertext whose header
 * must name the target version; otherwise it is raw ciphertext with the IV and tag given apart.
 * {@code tagBytes}: the tag length the caller expects (12 to 16 bytes); a tag of another length
 * is refused.
 */
public record DecryptRequest(VersionRef target, Bytes data, Optional<Scheme> scheme, Optional<Bytes> aad,
                             Optional<Bytes> iv, Optional<Bytes> tag, boolean envelope, Optional<Integer> tagBytes) {
    public DecryptRequest {
        Objects.requireNonNull(target);
        Objects.requireNonNull(data);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(aad);
        Objects.requireNonNull(iv);
        Objects.requireNonNull(tag);
        Objects.requireNonNull(tagBytes);
    }

    /** A request that takes the tag at whatever length it has. */
    public DecryptRequest(VersionRef target, Bytes data, Optional<Scheme> scheme, Optional<Bytes> aad,
                          Optional<Bytes> iv, Optional<Bytes> tag, boolean envelope) {
        this(target, data, scheme, aad, iv, tag, envelope, Optional.empty());
    }

    public static DecryptRequest envelope(VersionRef target, Bytes envelope) {
        return new DecryptRequest(target, envelope, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), true);
    }
}
