package dev.tresor.kms.seal;

import java.util.Objects;

/** The seal's public settings, stored in plain at {@code sys/seal/config}: nothing here is secret. */
record SealConfig(SealType type, int shares, int threshold) {
    SealConfig {
        Objects.requireNonNull(type, "type");
    }

    static SealConfig dev() {
        return new SealConfig(SealType.DEV, 0, 0);
    }
}
