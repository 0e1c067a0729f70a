package dev.tresor.kms.service;

import dev.tresor.kms.key.Scheme;
import java.util.Objects;
import java.util.Optional;

/**
 * Signs or MACs {@code data} (≤ 64 KiB), or, with {@code prehashed}, a digest of the scheme's
 * hash. On an HMAC key, sign is MAC compute and verify is MAC verify.
 */
public record SignRequest(VersionRef target, Bytes data, boolean prehashed, Optional<Scheme> scheme) {
    public SignRequest {
        Objects.requireNonNull(target);
        Objects.requireNonNull(data);
        Objects.requireNonNull(scheme);
    }

    public static SignRequest message(VersionRef target, Bytes data) {
        return new SignRequest(target, data, false, Optional.empty());
    }
}
