package dev.tresor.kms.seal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarrierTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] KEY = "data/keyrings/r/keys/k".getBytes(UTF_8);
    private static final byte[] PLAINTEXT = "key material".getBytes(UTF_8);

    private final Barrier barrier = new Barrier(BarrierKeyring.generate(RANDOM), RANDOM);

    private static void assertIntegrityFailure(Runnable open) {
        KmsError e = assertThrows(KmsError.class, open::run);
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("stored value failed its integrity check", e.getMessage());
    }

    @Test
    void sealedValueOpensUnderItsOwnStorageKey() {
        assertArrayEquals(PLAINTEXT, barrier.open(KEY, barrier.seal(KEY, PLAINTEXT)));
        assertArrayEquals(new byte[0], barrier.open(KEY, barrier.seal(KEY, new byte[0])));
    }

    @Test
    void storedValueIsFormatTermNonceCiphertextAndTag() {
        byte[] stored = barrier.seal(KEY, PLAINTEXT);
        assertEquals(1 + 4 + 12 + PLAINTEXT.length + 16, stored.length);
        assertEquals(Barrier.FORMAT, stored[0]);
        assertEquals(1, ByteBuffer.wrap(stored, 1, 4).getInt());
        byte[] other = barrier.seal(KEY, PLAINTEXT);
        assertFalse(Arrays.equals(Arrays.copyOfRange(stored, 5, 17), Arrays.copyOfRange(other, 5, 17)),
                "every seal draws a fresh nonce");
    }

    @Test
    void valueCopiedToAnotherStorageKeyFailsToOpen() {
        byte[] stored = barrier.seal(KEY, PLAINTEXT);
        assertIntegrityFailure(() -> barrier.open("data/keyrings/r/keys/other".getBytes(UTF_8), stored));
    }

    @Test
    void anyAlteredByteFailsToOpen() {
        byte[] stored = barrier.seal(KEY, PLAINTEXT);
        for (int i = 0; i < stored.length; i++) {
            byte[] altered = stored.clone();
            altered[i] ^= 0x01;
            assertIntegrityFailure(() -> barrier.open(KEY, altered));
        }
        assertIntegrityFailure(() -> barrier.open(KEY, Arrays.copyOf(stored, stored.length - 1)));
        assertIntegrityFailure(() -> barrier.open(KEY, new byte[3]));
    }

    @Test
    void valueSealedByAnotherKeyringFailsToOpen() {
        Barrier stranger = new Barrier(BarrierKeyring.generate(RANDOM), RANDOM);
        assertIntegrityFailure(() -> barrier.open(KEY, stranger.seal(KEY, PLAINTEXT)));
    }

    @Test
    void newTermSealsNewValuesAndOldTermsStillOpen() {
        BarrierKeyring first = BarrierKeyring.generate(RANDOM);
        byte[] old = new Barrier(first, RANDOM).seal(KEY, PLAINTEXT);
        BarrierKeyring second = first.withNewTerm(RANDOM);
        first.destroy();
        Barrier rotated = new Barrier(second, RANDOM);

        byte[] fresh = rotated.seal(KEY, PLAINTEXT);
        assertEquals(2, ByteBuffer.wrap(fresh, 1, 4).getInt());
        assertArrayEquals(PLAINTEXT, rotated.open(KEY, old));
        assertArrayEquals(PLAINTEXT, rotated.open(KEY, fresh));
        assertEquals(List.of(1, 2), List.copyOf(second.terms()));
    }

    @Test
    void keyringSurvivesEncodingAndRejectsMalformedBytes() {
        BarrierKeyring ring = BarrierKeyring.generate(RANDOM).withNewTerm(RANDOM);
        byte[] stored = new Barrier(ring, RANDOM).seal(KEY, PLAINTEXT);
        BarrierKeyring decoded = BarrierKeyring.decode(ring.encode());
        assertEquals(ring.currentTerm(), decoded.currentTerm());
        assertArrayEquals(PLAINTEXT, new Barrier(decoded, RANDOM).open(KEY, stored));

        byte[] encoded = ring.encode();
        assertThrows(KmsError.class, () -> BarrierKeyring.decode(Arrays.copyOf(encoded, encoded.length - 1)));
        byte[] hugeCount = encoded.clone();
        ByteBuffer.wrap(hugeCount).putInt(5, Integer.MAX_VALUE);
        assertThrows(KmsError.class, () -> BarrierKeyring.decode(hugeCount));
    }

    @Test
    void destroyedKeyringNoLongerSeals() {
        BarrierKeyring ring = BarrierKeyring.generate(RANDOM);
        Barrier doomed = new Barrier(ring, RANDOM);
        ring.destroy();
        assertThrows(RuntimeException.class, () -> doomed.seal(KEY, PLAINTEXT));
        assertEquals("BarrierKeyring[current term 1, 1 terms]", ring.toString());
    }
}
