package dev.tresor.kms.service;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * An immutable byte string for request and result records (records compare arrays by identity).
 * Equality is constant-time; {@code toString} prints only the length, so plaintext never reaches a log.
 */
public final class Bytes {
    private static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] value;

    private Bytes(byte[] value) {
        this.value = value;
    }

    public static Bytes of(byte[] value) {
        return new Bytes(value.clone());
    }

    /** Takes ownership of {@code value} without copying; the caller must not change it afterwards. */
    public static Bytes wrap(byte[] value) {
        return new Bytes(value);
    }

    public static Bytes empty() {
        return EMPTY;
    }

    public static Bytes fromBase64(String base64) {
        return new Bytes(Base64.getDecoder().decode(base64));
    }

    public byte[] toArray() {
        return value.clone();
    }

    /** Puts the content into {@code out}, leaving no copy behind. */
    public void copyTo(ByteBuffer out) {
        out.put(value);
    }

    public int length() {
        return value.length;
    }

    public boolean isEmpty() {
        return value.length == 0;
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(value);
    }

    /** Overwrites the content; for buffers the holder owns (see {@link #wrap}). */
    public void zero() {
        Arrays.fill(value, (byte) 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && MessageDigest.isEqual(value, other.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Bytes[" + value.length + "]";
    }
}
