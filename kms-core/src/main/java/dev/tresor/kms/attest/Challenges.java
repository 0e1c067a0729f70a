package dev.tresor.kms.attest;

import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and consumes challenges: 32 random bytes, single use, expiring (at most and by default
 * five minutes, on the injected clock). Consumed ids are remembered until they would have expired,
 * so a replay is told apart from an unknown id. Thread-safe; consumption is atomic.
 */
public final class Challenges {
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    public static final int NONCE_BYTES = 32;
    /** Outstanding challenges per store; beyond it issuing is refused until some expire. */
    public static final int MAX_OUTSTANDING = 100_000;

    private final Clock clock;
    private final SecureRandom random;
    private final Duration ttl;
    private final Map<String, Challenge> open = new ConcurrentHashMap<>();
    private final Map<String, Instant> consumed = new ConcurrentHashMap<>();

    public Challenges(Clock clock, SecureRandom random, Duration ttl) {
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(DEFAULT_TTL) > 0) {
            throw new IllegalArgumentException("challenge lifetime must be positive and at most 5 minutes");
        }
        this.ttl = ttl;
    }

    public Challenges(Clock clock, SecureRandom random) {
        this(clock, random, DEFAULT_TTL);
    }

    public Challenge issue(String tenant, String audience) {
        Instant now = clock.instant();
        purge(now);
        if (open.size() >= MAX_OUTSTANDING) {
            throw KmsError.of(ErrorCode.RATE_LIMITED, "too many open attestation challenges; retry later");
        }
        byte[] id = new byte[16];
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(id);
        random.nextBytes(nonce);
        Challenge challenge = new Challenge(Base64.getUrlEncoder().withoutPadding().encodeToString(id),
                Bytes.wrap(nonce), tenant, audience, now.plus(ttl));
        open.put(challenge.id(), challenge);
        return challenge;
    }

    /**
     * Takes the challenge out of play and returns it; refuses with {@code NONCE_UNKNOWN} (never
     * issued here, or for another tenant or audience), {@code NONCE_REUSED} or {@code NONCE_EXPIRED}.
     */
    public Challenge consume(String id, String tenant, String audience) {
        return consume(id, tenant, Set.of(audience));
    }

    /** The same, for a call that may answer challenges of any of {@code audiences} (any key's, or this key's). */
    public Challenge consume(String id, String tenant, Set<String> audiences) {
        Instant now = clock.instant();
        Challenge challenge = open.get(id);
        if (challenge == null) {
            throw consumed.containsKey(id) ? Reason.NONCE_REUSED.error("challenge was already answered")
                    : Reason.NONCE_UNKNOWN.error("no such challenge");
        }
        if (!challenge.tenant().equals(tenant) || !audiences.contains(challenge.audience())) {
            throw Reason.NONCE_UNKNOWN.error("no such challenge");
        }
        if (!open.remove(id, challenge)) {
            throw Reason.NONCE_REUSED.error("challenge was already answered");
        }
        consumed.put(id, challenge.expiresAt());
        if (now.isAfter(challenge.expiresAt())) {
            throw Reason.NONCE_EXPIRED.error("challenge expired at " + challenge.expiresAt());
        }
        return challenge;
    }

    /** Consumes the challenge whose id and nonce the client echoes (KMIP sends both back). */
    public Challenge consume(String id, Bytes nonce, String tenant, String audience) {
        Challenge challenge = consume(id, tenant, audience);
        if (!MessageDigest.isEqual(challenge.nonce().toArray(), nonce.toArray())) {
            throw Reason.NONCE_UNKNOWN.error("nonce value does not match its id");
        }
        return challenge;
    }

    /** Forgets challenges one lifetime after they expired, so late answers still hear "expired". */
    private void purge(Instant now) {
        open.values().removeIf(c -> now.isAfter(c.expiresAt().plus(ttl)));
        consumed.values().removeIf(expiry -> now.isAfter(expiry.plus(ttl)));
    }
}
