package dev.tresor.kms.attest.kbs;

import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.Challenge;
import dev.tresor.kms.attest.Challenges;
import dev.tresor.kms.attest.Reason;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.limit.HourlyBudget;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * KBS sessions: a session is a challenge of audience {@code kbs} (single use, at most five
 * minutes, in the same nonce store as every other challenge) until its guest attests, then an
 * attested session holding the verdict and the guest's key until the same end. The session id is
 * the challenge id as 32 hex characters. Opening a session needs no credential, so the KBS has
 * its own bounds, apart from any instance's API budget: open sessions per instance path, open
 * sessions in all, and sessions opened per rolling hour in all; beyond them RATE_LIMITED with the
 * time to wait. Thread-safe.
 */
public final class KbsSessions {
    public static final String AUDIENCE = "kbs";
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f]{32}");

    /** A session waiting for its attestation. */
    public record Pending(Challenge challenge, String tee, String hashAlgorithm) {
        public Pending {
            Objects.requireNonNull(challenge);
            Objects.requireNonNull(tee);
            Objects.requireNonNull(hashAlgorithm);
        }

        /** The nonce as the guest received it (standard base64). */
        public String nonce() {
            return Base64.getEncoder().encodeToString(challenge.nonce().toArray());
        }
    }

    /** An attested session: the verdict, the key answers are encrypted to, and the token handed out. */
    public record Attested(String sessionId, String tenant, PublicKey teeKey, AttestationResult result, String token,
                           Instant expiresAt) {
        public Attested {
            Objects.requireNonNull(sessionId);
            Objects.requireNonNull(tenant);
            Objects.requireNonNull(teeKey);
            Objects.requireNonNull(result);
            Objects.requireNonNull(token);
            Objects.requireNonNull(expiresAt);
        }

        @Override
        public String toString() {
            return "Attested[" + result.tee() + ", until " + expiresAt + "]";
        }
    }

    /** The bounds on sessions that no credential opened. */
    public record Limits(int pendingPerTenant, int pending, long perHour) {
        /** A tenth of the challenge store for all KBS guests, a hundredth of that per instance. */
        public static final Limits DEFAULT = new Limits(1_000, Challenges.MAX_OUTSTANDING / 10, 36_000);

        public Limits {
            if (pendingPerTenant < 1 || pending < pendingPerTenant || perHour < 1) {
                throw new IllegalArgumentException("KBS session limits must be positive, per instance at most in all");
            }
        }
    }

    private final Challenges challenges;
    private final Clock clock;
    private final Limits limits;
    private final HourlyBudget opened;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Attested> attested = new ConcurrentHashMap<>();

    public KbsSessions(Challenges challenges, Clock clock) {
        this(challenges, clock, Limits.DEFAULT);
    }

    public KbsSessions(Challenges challenges, Clock clock, Limits limits) {
        this.challenges = Objects.requireNonNull(challenges);
        this.clock = Objects.requireNonNull(clock);
        this.limits = Objects.requireNonNull(limits);
        this.opened = new HourlyBudget(limits.perHour());
    }

    public synchronized Pending open(String tenant, KbsRequest request) {
        Instant now = clock.instant();
        pending.values().removeIf(p -> now.isAfter(p.challenge().expiresAt()));
        attested.values().removeIf(a -> now.isAfter(a.expiresAt()));
        if (attested.size() >= Challenges.MAX_OUTSTANDING) {
            throw KmsError.of(ErrorCode.RATE_LIMITED, "too many open KBS sessions; retry later");
        }
        requireRoom(tenant, now);
        opened.take(now);
        Pending session = new Pending(challenges.issue(tenant, AUDIENCE), request.tee(), request.hashAlgorithm());
        pending.put(sessionId(session.challenge()), session);
        return session;
    }

    /** RATE_LIMITED, with the wait until the first open session ends, when the instance or the KBS is full. */
    private void requireRoom(String tenant, Instant now) {
        List<Instant> ends = pending.values().stream().filter(p -> p.challenge().tenant().equals(tenant))
                .map(p -> p.challenge().expiresAt()).toList();
        boolean full = pending.size() >= limits.pending();
        if (full || ends.size() >= limits.pendingPerTenant()) {
            Instant first = (full ? pending.values().stream().map(p -> p.challenge().expiresAt()) : ends.stream())
                    .min(Instant::compareTo).orElse(now);
            throw KmsError.rateLimited(Duration.between(now, first).plusSeconds(1));
        }
    }

    /** The attested session, if this one is; UNAUTHENTICATED when it was attested but has ended. */
    public Optional<Attested> attested(String sessionId, String tenant) {
        Attested session = attested.get(sessionId);
        if (session == null || !session.tenant().equals(tenant)) {
            return Optional.empty();
        }
        if (clock.instant().isAfter(session.expiresAt())) {
            attested.remove(sessionId, session);
            throw KmsError.of(ErrorCode.UNAUTHENTICATED, "KBS session expired at " + session.expiresAt());
        }
        return Optional.of(session);
    }

    /**
     * The session waiting for its attestation; NONCE_REUSED once its nonce was answered,
     * NONCE_UNKNOWN if there is none by this id here.
     */
    public Pending pending(String sessionId, String tenant) {
        Pending session = pending.get(sessionId);
        if (session == null || !session.challenge().tenant().equals(tenant)) {
            challenges.consume(challengeId(sessionId), tenant, AUDIENCE);
            throw Reason.NONCE_UNKNOWN.error("no such KBS session");
        }
        return session;
    }

    /**
     * Takes the session's challenge out of play against the nonce the guest echoes: NONCE_UNKNOWN
     * (no such session here, or another nonce), NONCE_REUSED, NONCE_EXPIRED.
     */
    public Pending consume(String sessionId, String tenant, byte[] nonce) {
        String challengeId = challengeId(sessionId);
        challenges.consume(challengeId, Bytes.of(nonce), tenant, AUDIENCE);
        Pending session = pending.remove(sessionId);
        if (session == null) {
            throw Reason.NONCE_UNKNOWN.error("no such KBS session");
        }
        return session;
    }

    public void attest(Attested session) {
        attested.put(session.sessionId(), session);
    }

    public static String sessionId(Challenge challenge) {
        return HexFormat.of().formatHex(Base64.getUrlDecoder().decode(challenge.id()));
    }

    private static String challengeId(String sessionId) {
        if (!SESSION_ID.matcher(sessionId).matches()) {
            throw Reason.NONCE_UNKNOWN.error("no such KBS session");
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(sessionId));
    }
}
