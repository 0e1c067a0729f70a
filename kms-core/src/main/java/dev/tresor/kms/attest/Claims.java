package dev.tresor.kms.attest;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects normalised claims while a verifier walks the evidence. Values have fixed types:
 * {@link String} (hex in lower case), {@link Long} for every integer, {@link Boolean}.
 */
final class Claims {
    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, Object> values = new LinkedHashMap<>();

    Claims put(String name, String value) {
        values.put(name, value);
        return this;
    }

    Claims put(String name, long value) {
        values.put(name, value);
        return this;
    }

    Claims put(String name, boolean value) {
        values.put(name, value);
        return this;
    }

    Claims hex(String name, byte[] value) {
        values.put(name, HEX.formatHex(value));
        return this;
    }

    Claims putAll(Map<String, Object> other) {
        values.putAll(other);
        return this;
    }

    Map<String, Object> asMap() {
        return values;
    }
}
