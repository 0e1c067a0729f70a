package dev.tresor.kms.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.crypto.CiphertextEnvelope;
import dev.tresor.kms.crypto.LoadedKey;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.store.StoredJson;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.testing.UtcTestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A version's use period as the key record keeps it, and as a call that read the record earlier meets it. */
class UsePeriodRecordTest {
    private final StoreOfAnOlderBuild store = StoreOfAnOlderBuild.open();
    private final KeyService keys = store.keys();

    private Key aes() {
        return keys.createKey(store.tenant(), CreateKey.typed(store.ring(), "aes", KeyType.AES_256,
                Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false), Map.of()), KmipLegacy.NONE,
                store.commit());
    }

    /** Saves {@code read}'s attributes as they are, version 1 limited to {@code period} in the same write. */
    private Key limited(Key read, UsePeriod period) {
        return keys.replaceAttributes(store.tenant(), KeyRef.byId(read.id()), read.attributes(), 1, Set.of(),
                new AttributeReplacement(read.attributes(), period), store.commit(), step -> store.commit());
    }

    @Test
    void aProtectStopDateCommittedAfterTheCallerReadTheKeyStopsTheUse() {
        Key read = aes();
        KeyVersion version = keys.version(store.tenant(), KeyRef.byId(read.id()).version(1));
        Instant past = store.clock().instant().minusSeconds(1);
        limited(read, new UsePeriod(Optional.of(past), Optional.empty()));

        KmsError refused = assertThrows(KmsError.class,
                () -> keys.usableMaterial(store.tenant(), read, version, UsePeriod.Use.PROTECT));
        assertEquals(ErrorCode.FAILED_PRECONDITION, refused.code());
        assertTrue(refused.getMessage().contains("past its Protect Stop Date"), refused.getMessage());
    }

    /** Review dates3 n1: the period refuses one use; a Decrypt sharing the loaded material goes on. */
    @Test
    void anEncryptRefusedAfterTheLoadByItsPeriodLeavesTheLoadedKeyToTheDecryptHoldingIt() {
        Key read = aes();
        KeyVersion version = keys.version(store.tenant(), KeyRef.byId(read.id()).version(1));
        LoadedKey held = keys.usableMaterial(store.tenant(), read, version, UsePeriod.Use.PROCESS);
        byte[] ciphertext = store.crypto().encryptEnvelope(held, 1, "secret".getBytes(StandardCharsets.UTF_8), null);
        limited(read, new UsePeriod(Optional.of(store.clock().instant().minusSeconds(1)), Optional.empty()));

        KmsError refused = assertThrows(KmsError.class,
                () -> keys.usableMaterial(store.tenant(), read, version, UsePeriod.Use.PROTECT));
        assertTrue(refused.getMessage().contains("past its Protect Stop Date"), refused.getMessage());

        byte[] plaintext = store.crypto().decryptEnvelope(held, CiphertextEnvelope.decode(ciphertext), null);
        assertEquals("secret", new String(plaintext, StandardCharsets.UTF_8));
        assertSame(held, keys.usableMaterial(store.tenant(), read, version, UsePeriod.Use.PROCESS),
                "the material stays loaded");
    }

    /** A clock that moves on by {@code step} each time it is read. */
    private static final class SteppingClock extends UtcTestClock {
        private final AtomicReference<Instant> next;
        private final Duration step;

        SteppingClock(Instant start, Duration step) {
            this.next = new AtomicReference<>(start);
            this.step = step;
        }

        @Override
        public Instant instant() {
            return next.getAndUpdate(now -> now.plus(step));
        }
    }

    /**
     * Review dates m7 (pins 2bbe907): the period is checked before and after the load at one
     * instant, so a Protect Stop Date that passes while the material loads does not refuse the call
     * after the load (which, with the material shared, was the refusal dates3 n1 was about).
     */
    @Test
    void theChecksBeforeAndAfterTheLoadUseOneInstant() {
        Key read = aes();
        KeyVersion version = keys.version(store.tenant(), KeyRef.byId(read.id()).version(1));
        Instant start = store.clock().instant();
        limited(read, new UsePeriod(Optional.of(start.plusSeconds(1800)), Optional.empty()));
        KeyService hourPerRead = new KeyService(store.store(), store.crypto(), new MaterialCache(store.crypto(), 100),
                new SteppingClock(start, Duration.ofHours(1)), Duration.ofDays(30));

        LoadedKey loaded = hourPerRead.usableMaterial(store.tenant(), read, version, UsePeriod.Use.PROTECT);

        assertEquals(KeyType.AES_256, loaded.type(), "accepted at the instant of its first check");
    }

    @Test
    void aRotationGivesTheNewVersionItsPeriodInItsOwnWrite() {
        Key key = aes();
        UsePeriod period = new UsePeriod(Optional.of(store.clock().instant().plusSeconds(60)), Optional.empty());
        List<BarrierStore.Batch> writes = new ArrayList<>();

        KeyVersion rotated = keys.rotateKey(store.tenant(), KeyRef.byId(key.id()), () -> period, batch -> {
            writes.add(batch);
            store.store().write(batch);
        });
        assertEquals(1, writes.size(), "one write");
        Key read = keys.key(store.tenant(), KeyRef.byId(key.id()));
        assertEquals(period, read.usePeriod(rotated.number()));
        assertEquals(UsePeriod.ALWAYS, read.usePeriod(1), "the older version keeps its own");
    }

    /** A period supplier that counts how often the rotation asks it. */
    private static final class CountedPeriod implements Supplier<UsePeriod> {
        private final AtomicInteger asked = new AtomicInteger();

        @Override
        public UsePeriod get() {
            asked.incrementAndGet();
            return UsePeriod.ALWAYS;
        }
    }

    /**
     * Review s8b s4: the period is asked only of a key the rotation may rotate, so its own refusal
     * never hides the core's: not for an import-only key, nor for a deleted one.
     */
    @Test
    void aRotationRefusedByTheKeyNeverAsksForThePeriod() {
        Key importOnly = keys.createKey(store.tenant(), new CreateKey(store.ring(), "import-only", Optional.empty(),
                KeyType.AES_256, Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.empty(), "software",
                Key.AccessScope.PUBLIC, true, Optional.of(false), Map.of()), KmipLegacy.NONE, store.commit());
        Key deleted = keys.deleteKey(store.tenant(), KeyRef.byId(aes().id()), store.commit());
        CountedPeriod period = new CountedPeriod();

        KmsError importRefused = assertThrows(KmsError.class,
                () -> keys.rotateKey(store.tenant(), KeyRef.byId(importOnly.id()), period, store.commit()));
        KmsError deletedRefused = assertThrows(KmsError.class,
                () -> keys.rotateKey(store.tenant(), KeyRef.byId(deleted.id()), period, store.commit()));

        assertEquals(ErrorCode.PERMISSION_DENIED, importRefused.code());
        assertEquals(ErrorCode.FAILED_PRECONDITION, deletedRefused.code());
        assertTrue(deletedRefused.getMessage().contains("is deleted"), deletedRefused.getMessage());
        assertEquals(0, period.asked.get());
    }

    @Test
    void aRotationAsksForThePeriodOnce() {
        Key key = aes();
        CountedPeriod period = new CountedPeriod();

        KeyVersion rotated = keys.rotateKey(store.tenant(), KeyRef.byId(key.id()), period, store.commit());

        assertEquals(2L, rotated.number());
        assertEquals(1, period.asked.get());
    }

    /** Review m5 feared such a record unreadable; Jackson's Optional support reads the missing date as empty. */
    @Test
    void aStoredPeriodWithoutOneOfItsDatesReadsAsNotLimitedByThatDate() throws Exception {
        Instant stop = store.clock().instant().plusSeconds(60);
        Key dated = limited(aes(), new UsePeriod(Optional.of(stop), Optional.empty()));
        ObjectMapper json = new ObjectMapper();
        ObjectNode stored = (ObjectNode) json.readTree(StoredJson.encode(dated));
        ((ObjectNode) stored.path("usePeriods").path("1")).remove("processStart");

        Key read = StoredJson.decode(json.writeValueAsBytes(stored), Key.class);
        assertEquals(new UsePeriod(Optional.of(stop), Optional.empty()), read.usePeriod(1));
    }
}
