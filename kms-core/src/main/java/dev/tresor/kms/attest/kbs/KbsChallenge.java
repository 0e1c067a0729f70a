package dev.tresor.kms.attest.kbs;

import java.time.Instant;
import java.util.Objects;

/**
 * The answer to a KBS {@code Request}: the session id (the {@code kbs-session-id} cookie, 32 hex
 * characters), the nonce as standard base64 of 32 random bytes, the hash the guest must bind with
 * and when the session ends.
 */
public record KbsChallenge(String sessionId, String nonce, String hashAlgorithm, Instant expiresAt) {
    public KbsChallenge {
        Objects.requireNonNull(sessionId);
        Objects.requireNonNull(nonce);
        Objects.requireNonNull(hashAlgorithm);
        Objects.requireNonNull(expiresAt);
    }

    @Override
    public String toString() {
        return "KbsChallenge[session " + sessionId.substring(0, 8) + "…, expires " + expiresAt + "]";
    }
}
