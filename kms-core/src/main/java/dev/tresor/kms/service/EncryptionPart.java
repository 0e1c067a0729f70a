package dev.tresor.kms.service;

import java.util.Objects;
import java.util.Optional;

/**
 * One part of an encryption fed in parts (KMIP Encrypt with Init Indicator, Correlation Value and
 * Final Indicator). The first part ({@code stream} empty) names the key, the scheme, the IV and
 * the associated data in {@code request}; a later part names the stream the first one opened and
 * gives only its target and plaintext (and, if at all, the first part's tag length). {@code last}
 * ends the stream and gives the tag; a first part that is also the last is a plain encryption.
 */
public record EncryptionPart(EncryptRequest request, Optional<Bytes> stream, boolean last) {
    public EncryptionPart {
        Objects.requireNonNull(request);
        Objects.requireNonNull(stream);
    }
}
