package dev.tresor.kms.key;

import dev.tresor.kms.service.KmsError;
import java.util.regex.Pattern;

/** The rules for names and descriptions of key rings, keys and wrapping keys (STACKIT's). */
final class Names {
    private static final Pattern DISPLAY_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final int MAX_DESCRIPTION = 256;

    private Names() {
    }

    static void checkDisplayName(String displayName) {
        if (!DISPLAY_NAME.matcher(displayName).matches()) {
            throw KmsError.invalid("displayName must be 1 to 64 characters of a-z, A-Z, 0-9, '_' and '-'");
        }
    }

    static void checkDescription(String description) {
        if (description.length() > MAX_DESCRIPTION) {
            throw KmsError.invalid("description must be at most " + MAX_DESCRIPTION + " characters");
        }
    }
}
