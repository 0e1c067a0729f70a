package dev.tresor.kms.seal;

import dev.tresor.kms.service.KmsError;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The barrier keys by term. New values are sealed under the current (newest) term; every older
 * term stays so that what it sealed still opens, which is why rotation never rewrites data.
 * Immutable: {@link #withNewTerm} answers a new keyring with its own copies of the keys.
 */
public final class BarrierKeyring {
    private static final byte ENCODING_VERSION = 1;
    /** Far above any real use (one term per unseal); bounds what {@link #decode} allocates. */
    static final int MAX_TERMS = 100_000;

    private final int currentTerm;
    private final Map<Integer, TermKey> keys;

    private BarrierKeyring(int currentTerm, Map<Integer, TermKey> keys) {
        this.currentTerm = currentTerm;
        this.keys = Collections.unmodifiableMap(keys);
    }

    /** A keyring with one fresh key as term 1. */
    public static BarrierKeyring generate(SecureRandom random) {
        return new BarrierKeyring(0, new TreeMap<>()).withNewTerm(random);
    }

    /** A keyring holding {@code key} (copied) as its only term. */
    static BarrierKeyring ofSingleKey(int term, byte[] key) {
        Map<Integer, TermKey> keys = new TreeMap<>();
        keys.put(term, new TermKey(key));
        return new BarrierKeyring(term, keys);
    }

    /** This keyring plus a fresh key as the new current term. */
    public BarrierKeyring withNewTerm(SecureRandom random) {
        if (keys.size() >= MAX_TERMS) {
            throw KmsError.internal("the barrier keyring is full (" + MAX_TERMS + " terms)", null);
        }
        Map<Integer, TermKey> next = new TreeMap<>();
        keys.forEach((term, key) -> next.put(term, key.copy()));
        byte[] fresh = new byte[TermKey.BYTES];
        random.nextBytes(fresh);
        next.put(currentTerm + 1, new TermKey(fresh));
        Arrays.fill(fresh, (byte) 0);
        return new BarrierKeyring(currentTerm + 1, next);
    }

    public int currentTerm() {
        return currentTerm;
    }

    public SortedSet<Integer> terms() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keys.keySet()));
    }

    TermKey currentKey() {
        return keys.get(currentTerm);
    }

    Optional<TermKey> key(int term) {
        return Optional.ofNullable(keys.get(term));
    }

    /** Overwrites every key; the keyring is unusable afterwards. */
    public void destroy() {
        keys.values().forEach(TermKey::destroy);
    }

    /**
     * version ‖ current term ‖ count ‖ (term ‖ 32 key bytes)*, all integers 4-byte big-endian.
     * The answer holds key material: the caller zeroes it once wrapped.
     */
    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(1 + 4 + 4 + keys.size() * (4 + TermKey.BYTES));
        out.put(ENCODING_VERSION).putInt(currentTerm).putInt(keys.size());
        keys.forEach((term, key) -> {
            byte[] raw = key.getEncoded();
            out.putInt(term).put(raw);
            Arrays.fill(raw, (byte) 0);
        });
        return out.array();
    }

    static BarrierKeyring decode(byte[] encoded) {
        ByteBuffer in = ByteBuffer.wrap(encoded);
        if (encoded.length < 9 || in.get() != ENCODING_VERSION) {
            throw malformed();
        }
        int current = in.getInt();
        int count = in.getInt();
        if (count < 1 || count > MAX_TERMS || in.remaining() != count * (4 + TermKey.BYTES)) {
            throw malformed();
        }
        Map<Integer, TermKey> keys = new TreeMap<>();
        byte[] raw = new byte[TermKey.BYTES];
        for (int i = 0; i < count; i++) {
            int term = in.getInt();
            in.get(raw);
            keys.put(term, new TermKey(raw));
        }
        Arrays.fill(raw, (byte) 0);
        if (keys.size() != count || !keys.containsKey(current)) {
            keys.values().forEach(TermKey::destroy);
            throw malformed();
        }
        return new BarrierKeyring(current, keys);
    }

    private static KmsError malformed() {
        return KmsError.internal("the stored barrier keyring is malformed", null);
    }

    @Override
    public String toString() {
        return "BarrierKeyring[current term " + currentTerm + ", " + keys.size() + " terms]";
    }
}
