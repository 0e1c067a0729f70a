package dev.tresor.kms.seal;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shamir secret sharing over GF(2^8) (the AES field, x^8 + x^4 + x^3 + x + 1), byte by byte:
 * each secret byte is the constant term of its own random polynomial of degree
 * {@code threshold - 1}; share {@code x} holds the polynomials' values at {@code x}. The field
 * arithmetic uses no lookup tables, so its timing does not depend on the secret.
 */
public final class Shamir {
    public static final int MAX_SHARES = 255;

    /** The point {@code index} (1..255) of every byte's polynomial. */
    public record Share(int index, byte[] value) {
        public Share {
            if (index < 1 || index > MAX_SHARES) {
                throw new IllegalArgumentException("a share index is 1..255, not " + index);
            }
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        /** Overwrites this share's bytes, for a holder that is done with it. */
        public void wipe() {
            Arrays.fill(value, (byte) 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Share other && index == other.index && Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return 31 * index + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Share[" + index + ", ***]";
        }
    }

    private Shamir() {
    }

    public static List<Share> split(byte[] secret, int shares, int threshold, SecureRandom random) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("the secret is empty");
        }
        if (threshold < 1 || threshold > shares || shares > MAX_SHARES) {
            throw new IllegalArgumentException("need 1 <= threshold <= shares <= 255, got threshold "
                    + threshold + " of " + shares);
        }
        byte[][] values = new byte[shares][secret.length];
        int[] coefficients = new int[threshold];
        byte[] randomCoefficients = new byte[threshold - 1];
        for (int i = 0; i < secret.length; i++) {
            coefficients[0] = secret[i] & 0xFF;
            random.nextBytes(randomCoefficients);
            for (int c = 1; c < threshold; c++) {
                coefficients[c] = randomCoefficients[c - 1] & 0xFF;
            }
            for (int s = 0; s < shares; s++) {
                values[s][i] = (byte) evaluate(coefficients, s + 1);
            }
        }
        Arrays.fill(coefficients, 0);
        Arrays.fill(randomCoefficients, (byte) 0);
        List<Share> result = new ArrayList<>(shares);
        for (int s = 0; s < shares; s++) {
            result.add(new Share(s + 1, values[s]));
            Arrays.fill(values[s], (byte) 0);
        }
        return result;
    }

    /**
     * The secret the shares interpolate to at x = 0. With fewer shares than the threshold, or a
     * share from another split, the answer is a wrong secret, not an error: the caller verifies.
     */
    public static byte[] combine(List<Share> shares) {
        if (shares.isEmpty()) {
            throw new IllegalArgumentException("no shares to combine");
        }
        int length = shares.get(0).value.length;
        Set<Integer> indexes = new HashSet<>();
        for (Share share : shares) {
            if (share.value.length != length) {
                throw new IllegalArgumentException("the shares differ in length");
            }
            if (!indexes.add(share.index)) {
                throw new IllegalArgumentException("share " + share.index + " is given twice");
            }
        }
        byte[] secret = new byte[length];
        for (Share share : shares) {
            int weight = lagrangeWeightAtZero(share.index, shares);
            for (int i = 0; i < length; i++) {
                secret[i] ^= (byte) multiply(share.value[i] & 0xFF, weight);
            }
        }
        return secret;
    }

    /** Horner's rule: c0 + x(c1 + x(c2 + ...)). */
    private static int evaluate(int[] coefficients, int x) {
        int y = 0;
        for (int c = coefficients.length - 1; c >= 0; c--) {
            y = multiply(y, x) ^ coefficients[c];
        }
        return y;
    }

    /** The product over the other shares j of x_j / (x_j - x_i); subtraction is XOR in GF(2^8). */
    private static int lagrangeWeightAtZero(int xi, List<Share> shares) {
        int numerator = 1;
        int denominator = 1;
        for (Share other : shares) {
            if (other.index != xi) {
                numerator = multiply(numerator, other.index);
                denominator = multiply(denominator, other.index ^ xi);
            }
        }
        return multiply(numerator, inverse(denominator));
    }

    static int multiply(int a, int b) {
        int product = 0;
        for (int bit = 0; bit < 8; bit++) {
            product ^= -(b & 1) & a;
            int carry = -((a >> 7) & 1);
            a = ((a << 1) ^ (carry & 0x11B)) & 0xFF;
            b >>= 1;
        }
        return product;
    }

    /** a^254 = a^-1 for a != 0 (the multiplicative group has order 255). */
    static int inverse(int a) {
        int result = 1;
        int power = a;
        for (int bit = 0; bit < 8; bit++) {
            int next = multiply(result, power);
            int take = -((254 >> bit) & 1);
            result = (next & take) | (result & ~take);
            power = multiply(power, power);
        }
        return result;
    }
}
