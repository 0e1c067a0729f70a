package dev.tresor.kms.seal;

import java.util.Locale;

/** Where the unseal key comes from. */
public enum SealType {
    /** A key file in the data directory, read at start: for development only. */
    DEV,
    /** Reconstructed from a threshold of Shamir shares held by operators. */
    SHAMIR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
