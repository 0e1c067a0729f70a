package dev.tresor.kms.kmip.ttlv;

import java.util.Random;

/** Inputs for robustness checks: random bytes on even rounds, a valid message with a few bytes changed on odd ones. */
final class MutatedInputs {
    private MutatedInputs() {
    }

    static byte[] of(Random random, int round, int randomLength, byte[] valid) {
        if (round % 2 == 0) {
            byte[] input = new byte[random.nextInt(randomLength)];
            random.nextBytes(input);
            return input;
        }
        byte[] input = valid.clone();
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
            input[random.nextInt(input.length)] = (byte) random.nextInt(256);
        }
        return input;
    }
}
