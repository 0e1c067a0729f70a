package dev.tresor.kms.attest.policy;

/**
 * The type a policy value must have for a claim. {@code hexBytes} is the exact length of a hex
 * claim in bytes, 0 when any length is allowed; ANY accepts strings, integers and booleans.
 */
record ClaimType(Kind kind, int hexBytes) {
    enum Kind { STRING, INTEGER, BOOLEAN, HEX, ANY }

    static final ClaimType STRING = new ClaimType(Kind.STRING, 0);
    static final ClaimType INTEGER = new ClaimType(Kind.INTEGER, 0);
    static final ClaimType BOOLEAN = new ClaimType(Kind.BOOLEAN, 0);
    static final ClaimType ANY = new ClaimType(Kind.ANY, 0);

    static ClaimType hex(int bytes) {
        return new ClaimType(Kind.HEX, bytes);
    }

    /** Null when {@code value} fits, else what is wrong with it. */
    String mismatch(Object value) {
        return switch (kind) {
            case STRING -> value instanceof String ? null : "a string";
            case INTEGER -> value instanceof Long ? null : "an integer";
            case BOOLEAN -> value instanceof Boolean ? null : "a boolean";
            case ANY -> null;
            case HEX -> {
                if (!(value instanceof String text) || text.length() % 2 != 0
                        || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    yield "a hex string";
                }
                yield hexBytes == 0 || text.length() == 2 * hexBytes ? null : hexBytes + " bytes of hex";
            }
        };
    }
}
