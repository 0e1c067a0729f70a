package dev.tresor.kms.key;

import dev.tresor.kms.service.KmsError;
import java.util.Map;

/** Bounds on the front-end attributes a key or object carries, checked before anything is stored. */
final class Attributes {
    static final int MAX_ENTRIES = 64;
    static final int MAX_NAME = 128;
    static final int MAX_VALUE = 4096;

    private Attributes() {
    }

    static void check(Map<String, String> attributes) {
        if (attributes.size() > MAX_ENTRIES) {
            throw KmsError.invalid("at most " + MAX_ENTRIES + " attributes, not " + attributes.size());
        }
        attributes.forEach((name, value) -> {
            if (name.isEmpty() || name.length() > MAX_NAME) {
                throw KmsError.invalid("attribute names must be 1 to " + MAX_NAME + " characters");
            }
            if (value.length() > MAX_VALUE) {
                throw KmsError.invalid("attribute " + name + " is longer than " + MAX_VALUE + " characters");
            }
        });
    }
}
