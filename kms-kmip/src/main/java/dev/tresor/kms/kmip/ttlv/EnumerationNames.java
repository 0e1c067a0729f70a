package dev.tresor.kms.kmip.ttlv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The names the XML encoding uses for enumeration values and mask bits, per tag, from the
 * spec's enumeration tables (resources {@code enumerations.tsv} and {@code masks.tsv}: tag XML
 * name, value name, hex value). Lookups by name ignore case and underscores.
 */
final class EnumerationNames {
    static final EnumerationNames SPEC = new EnumerationNames(load("enumerations.tsv"), load("masks.tsv"));

    private final Map<Integer, Map<Integer, String>> names;
    private final Map<Integer, Map<String, Integer>> values;
    private final Map<Integer, Map<Integer, String>> maskBits;
    private final Map<Integer, Map<String, Integer>> maskValues;

    private EnumerationNames(Map<Integer, Map<Integer, String>> names, Map<Integer, Map<Integer, String>> maskBits) {
        this.names = names;
        this.values = inverse(names);
        this.maskBits = maskBits;
        this.maskValues = inverse(maskBits);
    }

    Optional<String> name(int tag, int value) {
        return Optional.ofNullable(names.getOrDefault(tag, Map.of()).get(value));
    }

    Optional<Integer> value(int tag, String name) {
        return Optional.ofNullable(values.getOrDefault(tag, Map.of()).get(normalise(name)));
    }

    boolean isMask(int tag) {
        return maskBits.containsKey(tag);
    }

    /** The names of the set bits, lowest first, or empty when a set bit has no name. */
    Optional<String> maskNames(int tag, int mask) {
        Map<Integer, String> bits = maskBits.get(tag);
        StringJoiner joined = new StringJoiner(" ");
        int rest = mask;
        for (Map.Entry<Integer, String> bit : bits.entrySet()) {
            if ((rest & bit.getKey()) != 0) {
                joined.add(bit.getValue());
                rest &= ~bit.getKey();
            }
        }
        return rest == 0 && mask != 0 ? Optional.of(joined.toString()) : Optional.empty();
    }

    Optional<Integer> maskValue(int tag, String spaceSeparatedNames) {
        Map<String, Integer> bits = maskValues.get(tag);
        int mask = 0;
        for (String name : spaceSeparatedNames.trim().split("\\s+")) {
            Integer bit = bits.get(normalise(name));
            if (bit == null) {
                return Optional.empty();
            }
            mask |= bit;
        }
        return Optional.of(mask);
    }

    private static Map<Integer, Map<String, Integer>> inverse(Map<Integer, Map<Integer, String>> byTag) {
        Map<Integer, Map<String, Integer>> inverse = new HashMap<>();
        byTag.forEach((tag, table) -> {
            Map<String, Integer> byName = new HashMap<>();
            table.forEach((value, name) -> byName.put(normalise(name), value));
            inverse.put(tag, byName);
        });
        return inverse;
    }

    private static String normalise(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    private static Map<Integer, Map<Integer, String>> load(String resource) {
        Map<Integer, Map<Integer, String>> byTag = new HashMap<>();
        try (InputStream in = EnumerationNames.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String[] fields = line.split("\t");
                int tag = Tag.byName(fields[0])
                        .orElseThrow(() -> new IllegalStateException("unknown tag in " + resource + ": " + fields[0]))
                        .code();
                byTag.computeIfAbsent(tag, t -> new LinkedHashMap<>())
                        .putIfAbsent(Integer.parseUnsignedInt(fields[2], 16), fields[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byTag;
    }
}
