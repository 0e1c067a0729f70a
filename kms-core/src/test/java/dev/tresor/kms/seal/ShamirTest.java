package dev.tresor.kms.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tresor.kms.service.KmsError;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShamirTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void fieldMultiplicationMatchesTheAesFieldAndEveryElementHasAnInverse() {
        assertEquals(0xC1, Shamir.multiply(0x57, 0x83), "FIPS-197 section 4.2 example");
        assertEquals(0xFE, Shamir.multiply(0x57, 0x13), "FIPS-197 section 4.2.1 example");
        for (int a = 1; a < 256; a++) {
            assertEquals(1, Shamir.multiply(a, Shamir.inverse(a)), "inverse of " + a);
            assertEquals(0, Shamir.multiply(a, 0));
        }
    }

    @Test
    void anyThresholdOfSharesRecoversTheSecretAndFewerDoNot() {
        Random choice = new Random(RANDOM.nextLong());
        for (int round = 0; round < 200; round++) {
            int shares = 1 + choice.nextInt(12);
            int threshold = 1 + choice.nextInt(shares);
            byte[] secret = new byte[1 + choice.nextInt(40)];
            RANDOM.nextBytes(secret);
            List<Shamir.Share> split = new ArrayList<>(Shamir.split(secret, shares, threshold, RANDOM));
            assertEquals(shares, split.size());

            Collections.shuffle(split, choice);
            int taken = threshold + choice.nextInt(shares - threshold + 1);
            assertArrayEquals(secret, Shamir.combine(split.subList(0, taken)),
                    taken + " of " + shares + " shares, threshold " + threshold);
            if (threshold > 1 && secret.length >= 16) {
                assertFalse(Arrays.equals(secret, Shamir.combine(split.subList(0, threshold - 1))),
                        "threshold - 1 shares reveal nothing");
            }
        }
    }

    @Test
    void everySubsetOfThreeOfFiveRecoversTheSecret() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        List<Shamir.Share> split = Shamir.split(secret, 5, 3, RANDOM);
        for (int a = 0; a < 5; a++) {
            for (int b = a + 1; b < 5; b++) {
                for (int c = b + 1; c < 5; c++) {
                    assertArrayEquals(secret, Shamir.combine(List.of(split.get(a), split.get(b), split.get(c))));
                }
            }
        }
    }

    @Test
    void badParametersAndDuplicateSharesAreRefused() {
        byte[] secret = new byte[32];
        assertThrows(IllegalArgumentException.class, () -> Shamir.split(secret, 3, 4, RANDOM));
        assertThrows(IllegalArgumentException.class, () -> Shamir.split(secret, 256, 2, RANDOM));
        assertThrows(IllegalArgumentException.class, () -> Shamir.split(secret, 3, 0, RANDOM));
        assertThrows(IllegalArgumentException.class, () -> Shamir.split(new byte[0], 3, 2, RANDOM));
        List<Shamir.Share> split = Shamir.split(secret, 3, 2, RANDOM);
        assertThrows(IllegalArgumentException.class, () -> Shamir.combine(List.of(split.get(0), split.get(0))));
        assertThrows(IllegalArgumentException.class, () -> Shamir.combine(List.of()));
    }

    @Test
    void shareTextRoundTripsAndRefusesTypos() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        Shamir.Share share = Shamir.split(secret, 3, 2, RANDOM).get(2);
        String text = ShareText.encode(share);
        assertEquals(share, ShareText.decode(text, 32));
        assertEquals("tresor-share-v1:3:", text.substring(0, 18));

        char last = text.charAt(30);
        String typo = text.substring(0, 30) + (last == 'A' ? 'B' : 'A') + text.substring(31);
        for (String bad : List.of(typo, text.substring(0, text.length() - 2), text.replace(":3:", ":4:"),
                "tresor-share-v1:0:AAAA", "hello", "")) {
            assertThrows(KmsError.class, () -> ShareText.decode(bad, 32), bad);
        }
        assertEquals("Share[3, ***]", share.toString());
    }
}
