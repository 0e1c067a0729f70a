package dev.tresor.kms.tenant;

import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Bearer tokens: {@code tsr_<id>_<secret>}. Only the SHA-256 of the secret is stored; the secret
 * is compared in constant time. Stored tokens are cached after first use and dropped on revoke.
 */
public final class ApiTokens {
    private static final String PREFIX = "tsr_";

    private final TenantLedger ledger;
    private final SecureRandom random;
    private final Clock clock;
    private final ConcurrentHashMap<String, TenantLedger.StoredToken> cache = new ConcurrentHashMap<>();

    public ApiTokens(BarrierStore store, SecureRandom random, Clock clock) {
        this.ledger = new TenantLedger(store);
        this.random = random;
        this.clock = clock;
    }

    /** Issues a token for a project ({@code projectId} empty = an operator token). */
    public IssuedToken.NewToken create(Optional<String> projectId, Role role, String description,
                                       Optional<Duration> lifetime, Consumer<BarrierStore.Batch> commit) {
        if (description.length() > 256) {
            throw KmsError.invalid("description must be at most 256 characters");
        }
        lifetime.ifPresent(l -> {
            if (l.isNegative() || l.isZero()) {
                throw KmsError.invalid("token lifetime must be positive");
            }
        });
        String id = UUID.randomUUID().toString().replace("-", "");
        byte[] secretBytes = new byte[32];
        random.nextBytes(secretBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        Instant now = clock.instant();
        IssuedToken token = new IssuedToken(id, projectId, role, description, now, lifetime.map(now::plus), false);
        BarrierStore.Batch batch = ledger.batch();
        ledger.put(batch, new TenantLedger.StoredToken(token, sha256(secret)));
        commit.accept(batch);
        return new IssuedToken.NewToken(token, PREFIX + id + "_" + secret);
    }

    /** The grant of a bearer token; UNAUTHENTICATED for anything but a live token. */
    public Grant authenticate(String bearer) {
        if (bearer == null || !bearer.startsWith(PREFIX) || bearer.length() > 200) {
            throw unauthenticated();
        }
        int split = bearer.indexOf('_', PREFIX.length());
        if (split < 0) {
            throw unauthenticated();
        }
        String id = bearer.substring(PREFIX.length(), split);
        String secret = bearer.substring(split + 1);
        TenantLedger.StoredToken stored = cache.computeIfAbsent(id, k -> ledger.token(k).orElse(null));
        if (stored == null) {
            throw unauthenticated();
        }
        boolean secretMatches = MessageDigest.isEqual(
                sha256(secret).getBytes(StandardCharsets.US_ASCII),
                stored.secretSha256().getBytes(StandardCharsets.US_ASCII));
        IssuedToken token = stored.token();
        boolean expired = token.expiresAt().map(at -> !clock.instant().isBefore(at)).orElse(false);
        if (!secretMatches || token.revoked() || expired) {
            throw unauthenticated();
        }
        Principal principal = new Principal(Principal.Kind.TOKEN, id);
        return token.projectId().isEmpty() ? Grant.operator(principal)
                : new Grant(principal, token.projectId(), token.role());
    }

    public List<IssuedToken> list(Optional<String> projectId) {
        return ledger.tokens().stream().map(TenantLedger.StoredToken::token)
                .filter(t -> t.projectId().equals(projectId))
                .toList();
    }

    public void revoke(Optional<String> projectId, String tokenId, Consumer<BarrierStore.Batch> commit) {
        TenantLedger.StoredToken stored = ledger.token(tokenId)
                .filter(s -> s.token().projectId().equals(projectId))
                .orElseThrow(() -> KmsError.notFound("token " + tokenId));
        IssuedToken t = stored.token();
        IssuedToken revoked = new IssuedToken(t.id(), t.projectId(), t.role(), t.description(), t.createdAt(),
                t.expiresAt(), true);
        BarrierStore.Batch batch = ledger.batch();
        ledger.put(batch, new TenantLedger.StoredToken(revoked, stored.secretSha256()));
        commit.accept(batch);
        cache.remove(tokenId);
    }

    private static KmsError unauthenticated() {
        return KmsError.of(dev.tresor.kms.service.ErrorCode.UNAUTHENTICATED, "missing or invalid API token");
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
