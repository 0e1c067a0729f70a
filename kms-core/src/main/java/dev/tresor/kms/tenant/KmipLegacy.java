package dev.tresor.kms.tenant;

/**
 * A project's opt-ins for legacy KMIP clients (and the OASIS conformance runner), both off by
 * default. {@code exportableByDefault} makes objects created without a word on export exportable;
 * {@code aesMacWithCipher} lets an AES key hold MAC Generate or MAC Verify beside Encrypt, Decrypt,
 * Wrap or Unwrap, so that the same bytes key both AES and HMAC (cross-primitive key reuse, which
 * the core otherwise refuses).
 */
public record KmipLegacy(boolean exportableByDefault, boolean aesMacWithCipher) {
    /** Neither opt-in: the default of a new project. */
    public static final KmipLegacy NONE = new KmipLegacy(false, false);
}
