package dev.tresor.kms.attest.jwe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A JWE's five base64url parts (RFC 7516), for the compact form (REST) or the flattened JSON form (KBS). */
public record Jwe(String protectedHeader, String encryptedKey, String iv, String ciphertext, String tag) {
    public Jwe {
        Objects.requireNonNull(protectedHeader);
        Objects.requireNonNull(encryptedKey);
        Objects.requireNonNull(iv);
        Objects.requireNonNull(ciphertext);
        Objects.requireNonNull(tag);
    }

    public String compact() {
        return String.join(".", protectedHeader, encryptedKey, iv, ciphertext, tag);
    }

    /** The flattened JSON members KBS clients read; no {@code aad} member. */
    public Map<String, String> flattened() {
        Map<String, String> members = new LinkedHashMap<>();
        members.put("protected", protectedHeader);
        members.put("encrypted_key", encryptedKey);
        members.put("iv", iv);
        members.put("ciphertext", ciphertext);
        members.put("tag", tag);
        return members;
    }

    @Override
    public String toString() {
        return "Jwe[" + ciphertext.length() + " chars of ciphertext]";
    }
}
