package dev.tresor.kms.service;

import java.util.Objects;
import java.util.Optional;

/**
 * Names a key in the caller's KMS instance. REST names the key ring too (a key under another ring
 * is NOT_FOUND); KMIP names the key alone.
 */
public record KeyRef(Optional<String> keyRingId, String keyId) {
    public KeyRef {
        Objects.requireNonNull(keyRingId);
        Objects.requireNonNull(keyId);
    }

    public static KeyRef of(String keyRingId, String keyId) {
        return new KeyRef(Optional.of(keyRingId), keyId);
    }

    public static KeyRef byId(String keyId) {
        return new KeyRef(Optional.empty(), keyId);
    }

    public VersionRef version(long number) {
        return new VersionRef(this, number);
    }

    public VersionRef primary() {
        return new VersionRef(this, VersionRef.PRIMARY);
    }
}
