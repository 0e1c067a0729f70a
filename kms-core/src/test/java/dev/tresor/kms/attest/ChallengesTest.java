package dev.tresor.kms.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.testing.MovableClock;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ChallengesTest {
    private final MovableClock clock = MovableClock.at("2026-11-23T12:00:00Z");
    private final Challenges challenges = new Challenges(clock, new SecureRandom());

    private Reason refusal(org.junit.jupiter.api.function.Executable call) {
        return Reason.of(assertThrows(KmsError.class, call)).orElseThrow();
    }

    @Test
    void challengeCarries32RandomBytesAndExpiresInFiveMinutes() {
        Challenge a = challenges.issue("t1", "kbs");
        Challenge b = challenges.issue("t1", "kbs");
        assertEquals(32, a.nonce().length());
        assertNotEquals(a.nonce(), b.nonce());
        assertNotEquals(a.id(), b.id());
        assertEquals(clock.instant().plus(Duration.ofMinutes(5)), a.expiresAt());
    }

    @Test
    void challengeIsAnsweredOnlyOnce() {
        Challenge challenge = challenges.issue("t1", "kbs");
        assertEquals(challenge, challenges.consume(challenge.id(), "t1", "kbs"));
        assertEquals(Reason.NONCE_REUSED, refusal(() -> challenges.consume(challenge.id(), "t1", "kbs")));
    }

    @Test
    void expiredChallengeIsRefusedAndCannotBeRetried() {
        Challenge challenge = challenges.issue("t1", "kbs");
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        challenges.issue("t1", "kbs");
        assertEquals(Reason.NONCE_EXPIRED, refusal(() -> challenges.consume(challenge.id(), "t1", "kbs")));
        assertEquals(Reason.NONCE_REUSED, refusal(() -> challenges.consume(challenge.id(), "t1", "kbs")));
    }

    @Test
    void challengeOfAnotherTenantOrAudienceIsUnknown() {
        Challenge challenge = challenges.issue("t1", "rest:key-1");
        assertEquals(Reason.NONCE_UNKNOWN, refusal(() -> challenges.consume(challenge.id(), "t2", "rest:key-1")));
        assertEquals(Reason.NONCE_UNKNOWN, refusal(() -> challenges.consume(challenge.id(), "t1", "rest:key-2")));
        assertEquals(Reason.NONCE_UNKNOWN, refusal(() -> challenges.consume("nope", "t1", "rest:key-1")));
        assertEquals(challenge, challenges.consume(challenge.id(), "t1", "rest:key-1"));
    }

    @Test
    void aCallMayAcceptSeveralAudiencesButOnlyThose() {
        Challenge forKey = challenges.issue("t1", "rest:key/k1");
        Challenge general = challenges.issue("t1", "rest");
        assertEquals(Reason.NONCE_UNKNOWN, refusal(() -> challenges.consume(forKey.id(), "t1",
                java.util.Set.of("rest", "rest:key/k2"))));
        assertEquals(forKey, challenges.consume(forKey.id(), "t1", java.util.Set.of("rest", "rest:key/k1")));
        assertEquals(general, challenges.consume(general.id(), "t1", java.util.Set.of("rest", "rest:key/k2")));
    }

    @Test
    void kmipAnswerMustEchoTheNonceValue() {
        Challenge challenge = challenges.issue("t1", "kmip");
        assertEquals(Reason.NONCE_UNKNOWN, refusal(() -> challenges.consume(challenge.id(), Bytes.of(new byte[32]),
                "t1", "kmip")));
        Challenge other = challenges.issue("t1", "kmip");
        assertEquals(other, challenges.consume(other.id(), other.nonce(), "t1", "kmip"));
    }

    @Test
    void lifetimeLongerThanFiveMinutesIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new Challenges(clock, new SecureRandom(), Duration.ofMinutes(6)));
    }

    @Test
    void nativeBindingIsSha512OfNonceAndSpki() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(384);
        PublicKey key = generator.generateKeyPair().getPublic();
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 3);
        byte[] joined = Arrays.copyOf(nonce, 32 + key.getEncoded().length);
        System.arraycopy(key.getEncoded(), 0, joined, 32, key.getEncoded().length);
        assertArrayEquals(MessageDigest.getInstance("SHA-512").digest(joined),
                new ExpectedBinding.Native(Bytes.of(nonce), key).reportData());
    }

    @Test
    void kbsBindingReproducesTheTrusteeTokenReportData() throws Exception {
        String token = new String(TestData.read("tokens/trustee/trustee_ear_cca_es256.jwt"), StandardCharsets.US_ASCII);
        JsonNode payload = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.strip().split("\\.")[1]));
        JsonNode evidence = payload.path("submods").path("cpu0").path("ear.veraison.annotated-evidence");
        byte[] expected = HexFormat.of().parseHex(evidence.path("report_data").asText());
        assertArrayEquals(expected, new ExpectedBinding.Kbs(evidence.path("runtime_data_claims"), "sha384").reportData());
    }

    @Test
    void kmipBindingHashesIdValueAndClientKey() throws Exception {
        var certificate = TestData.certs("snp/milan-gosevguest/vcek.der").get(0);
        byte[] id = {1, 2};
        byte[] value = {3, 4, 5};
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        sha512.update(id);
        sha512.update(value);
        sha512.update(MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
        assertArrayEquals(sha512.digest(),
                new ExpectedBinding.Kmip(Bytes.of(id), Bytes.of(value), certificate).reportData());
    }
}
