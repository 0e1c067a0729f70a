package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.testing.CoreWithKeyRing;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * A version's use period (KMIP Protect Stop and Process Start Dates) is the core's rule: every
 * encrypt, sign and MAC stops after the protect stop date, every decrypt and verify waits for the
 * process start date, whichever front-end asks.
 */
class UsePeriodTest {
    private static final Bytes DATA = Bytes.of(new byte[] {4, 2});

    @RegisterExtension
    final CoreWithKeyRing core = new CoreWithKeyRing();

    private VersionRef dated(KeyType type, Set<KeyUsage> usages, UsePeriod period) {
        Key key = core.kms().createKey(core.admin(), new CreateKey(core.ring(), "dated", Optional.empty(), type, usages,
                Optional.empty(), "software", Key.AccessScope.PUBLIC, false, Optional.of(false), Map.of(),
                Optional.empty(), period));
        return KeyRef.byId(key.id()).version(1);
    }

    private static void refused(String because, Executable call) {
        KmsError error = assertThrows(KmsError.class, call);
        assertEquals(ErrorCode.FAILED_PRECONDITION, error.code());
        assertTrue(error.getMessage().contains(because), error.getMessage());
    }

    @Test
    void aVersionProtectsUntilItsProtectStopDateAndProcessesFromItsProcessStartDate() {
        Instant now = core.test().clock().instant();
        VersionRef aes = dated(KeyType.AES_256, Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT),
                new UsePeriod(Optional.of(now.plus(Duration.ofHours(1))), Optional.of(now.plus(Duration.ofMinutes(10)))));
        Encrypted sealed = core.kms().encrypt(core.admin(), EncryptRequest.envelope(aes, DATA));
        DecryptRequest open = new DecryptRequest(aes, sealed.data(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), true);
        refused("is before its Process Start Date", () -> core.kms().decrypt(core.admin(), open));

        core.test().clock().advance(Duration.ofMinutes(10));
        assertEquals(DATA, core.kms().decrypt(core.admin(), open));
        core.test().clock().advance(Duration.ofMinutes(51));
        refused("is past its Protect Stop Date", () -> core.kms().encrypt(core.admin(), EncryptRequest.envelope(aes, DATA)));
        assertEquals(DATA, core.kms().decrypt(core.admin(), open), "processing goes on after the protect stop date");
    }

    @Test
    void macAndSignatureFollowTheSameRule() {
        Instant now = core.test().clock().instant();
        VersionRef hmac = dated(KeyType.HMAC_SHA256, Set.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY),
                new UsePeriod(Optional.of(now.plusSeconds(60)), Optional.empty()));
        VersionRef ec = dated(KeyType.EC_P256, Set.of(KeyUsage.SIGN, KeyUsage.VERIFY),
                new UsePeriod(Optional.empty(), Optional.of(now.plusSeconds(60))));
        Bytes tag = core.kms().sign(core.admin(), SignRequest.message(hmac, DATA));
        Bytes signature = core.kms().sign(core.admin(), SignRequest.message(ec, DATA));
        refused("Process Start Date", () -> core.kms().verify(core.admin(), SignRequest.message(ec, DATA), signature));

        core.test().clock().advance(Duration.ofSeconds(61));
        refused("Protect Stop Date", () -> core.kms().sign(core.admin(), SignRequest.message(hmac, DATA)));
        assertTrue(core.kms().verify(core.admin(), SignRequest.message(hmac, DATA), tag));
        assertTrue(core.kms().verify(core.admin(), SignRequest.message(ec, DATA), signature));
    }

    @Test
    void aKeyCreatedWithoutAPeriodIsNotLimited() {
        VersionRef aes = dated(KeyType.AES_256, Set.of(KeyUsage.ENCRYPT), UsePeriod.ALWAYS);
        core.test().clock().advance(Duration.ofDays(3650));
        assertEquals(1, core.kms().encrypt(core.admin(), EncryptRequest.envelope(aes, DATA)).version());
    }
}
