package dev.tresor.kms.attest.kbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.attest.AttestationResult;
import dev.tresor.kms.attest.Challenges;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.MovableClock;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** KBS sessions and tokens: single-use nonces per session, tenant-bound, five minutes, own tokens only. */
class KbsSessionsTest {
    private static final String TENANT = "p/eu01";
    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final KbsSessions sessions = new KbsSessions(new Challenges(clock, new SecureRandom()), clock);
    private final KbsRequest request = new KbsRequest("0.4.0", "snp", Optional.empty());

    private static String reason(Runnable call) {
        return assertThrows(KmsError.class, call::run).getMessage().split(":")[0];
    }

    @Test
    void openSessionsAreBoundedPerInstanceAndInAllWithTheTimeToWait() {
        KbsSessions bounded = new KbsSessions(new Challenges(clock, new SecureRandom()), clock,
                new KbsSessions.Limits(2, 3, 100));
        bounded.open(TENANT, request);
        clock.advance(Duration.ofMinutes(1));
        bounded.open(TENANT, request);
        KmsError instanceFull = assertThrows(KmsError.class, () -> bounded.open(TENANT, request));
        assertEquals(ErrorCode.RATE_LIMITED, instanceFull.code());
        assertEquals(Duration.ofMinutes(4).plusSeconds(1), instanceFull.retryAfter().orElseThrow(),
                "until the instance's first open session ends");

        bounded.open("q/eu01", request);
        KmsError kbsFull = assertThrows(KmsError.class, () -> bounded.open("r/eu01", request));
        assertEquals(ErrorCode.RATE_LIMITED, kbsFull.code(), "three open sessions in all");

        clock.advance(Duration.ofMinutes(4).plusSeconds(1));
        bounded.open(TENANT, request);
        assertEquals(ErrorCode.RATE_LIMITED, assertThrows(KmsError.class, () -> bounded.open("r/eu01", request)).code());
    }

    @Test
    void sessionsOpenedPerHourAreBoundedInAll() {
        KbsSessions bounded = new KbsSessions(new Challenges(clock, new SecureRandom()), clock,
                new KbsSessions.Limits(10, 10, 2));
        KbsSessions.Pending first = bounded.open(TENANT, request);
        bounded.consume(KbsSessions.sessionId(first.challenge()), TENANT, Base64.getDecoder().decode(first.nonce()));
        bounded.open("q/eu01", request);
        KmsError hour = assertThrows(KmsError.class, () -> bounded.open("r/eu01", request));
        assertEquals(ErrorCode.RATE_LIMITED, hour.code(), "answered sessions count too");
        assertEquals(Duration.ofHours(1), hour.retryAfter().orElseThrow());
        clock.advance(Duration.ofHours(1));
        bounded.open("r/eu01", request);
    }

    @Test
    void aSessionIsAnsweredOnceWithItsOwnNonceInItsOwnTenant() {
        KbsSessions.Pending session = sessions.open(TENANT, request);
        String id = KbsSessions.sessionId(session.challenge());
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        byte[] nonce = Base64.getDecoder().decode(session.nonce());

        assertEquals("NONCE_UNKNOWN", reason(() -> sessions.pending(id, "q/eu01")));
        assertEquals("NONCE_UNKNOWN", reason(() -> sessions.pending("not-a-session", TENANT)));
        assertEquals("snp", sessions.pending(id, TENANT).tee());
        assertEquals("sha384", sessions.pending(id, TENANT).hashAlgorithm());
        sessions.consume(id, TENANT, nonce);
        assertEquals("NONCE_REUSED", reason(() -> sessions.pending(id, TENANT)));

        KbsSessions.Pending other = sessions.open(TENANT, request);
        String otherId = KbsSessions.sessionId(other.challenge());
        assertEquals("NONCE_UNKNOWN", reason(() -> sessions.consume(otherId, TENANT, nonce)));
        assertEquals("NONCE_REUSED", reason(() -> sessions.consume(otherId, TENANT,
                Base64.getDecoder().decode(other.nonce()))), "a wrong nonce spends the session");

        KbsSessions.Pending late = sessions.open(TENANT, request);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertEquals("NONCE_EXPIRED", reason(() -> sessions.consume(KbsSessions.sessionId(late.challenge()), TENANT,
                Base64.getDecoder().decode(late.nonce()))));
    }

    @Test
    void anAttestedSessionEndsWithItsChallenge() throws Exception {
        KbsSessions.Pending session = sessions.open(TENANT, request);
        String id = KbsSessions.sessionId(session.challenge());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        sessions.attest(new KbsSessions.Attested(id, TENANT, generator.generateKeyPair().getPublic(),
                new AttestationResult("sim-snp", Map.of()), "token", session.challenge().expiresAt()));
        assertTrue(sessions.attested(id, TENANT).isPresent());
        assertTrue(sessions.attested(id, "q/eu01").isEmpty());
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        KmsError ended = assertThrows(KmsError.class, () -> sessions.attested(id, TENANT));
        assertEquals(ErrorCode.UNAUTHENTICATED, ended.code());
    }

    @Test
    void requestsNameVersionTeeAndHash() {
        assertEquals("sha384", KbsRequest.parse("{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":\"\"}"
                .getBytes()).hashAlgorithm());
        assertEquals("sha512", new KbsRequest("0.4.2", "snp", Optional.of(List.of("sha512", "sha256"))).hashAlgorithm());
        assertThrows(KmsError.class, () -> new KbsRequest("0.4.0", "snp", Optional.of(List.of("sm3"))).hashAlgorithm());
        assertThrows(KmsError.class, () -> new KbsRequest("0.3.0", "snp", Optional.empty()));
        assertThrows(KmsError.class, () -> new KbsRequest("0.4.0", "sample", Optional.empty()));
        assertThrows(KmsError.class, () -> KbsRequest.parse("{\"tee\":\"snp\"}".getBytes()));
    }

    @Test
    void onlyCurrentTokensOfThisKbsNameASession() throws Exception {
        KbsTokens tokens = new KbsTokens(new SecureRandom());
        Instant now = clock.instant();
        var jwk = new ObjectMapper().readTree("{\"kty\":\"EC\"}");
        String token = tokens.issue("ab".repeat(16), now, now.plusSeconds(300), jwk, Map.of("tee", "sim-snp"));
        assertEquals(Optional.of("ab".repeat(16)), tokens.sessionOf(token, now));
        assertEquals(Optional.empty(), tokens.sessionOf(token, now.plusSeconds(300)));
        assertEquals(Optional.empty(), new KbsTokens(new SecureRandom()).sessionOf(token, now));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"exp\":9999999999,\"jti\":\"" + "cd".repeat(16) + "\"}").getBytes()) + "." + parts[2];
        assertEquals(Optional.empty(), tokens.sessionOf(forged, now));
        assertEquals(Optional.empty(), tokens.sessionOf("a.b", now));
    }
}
