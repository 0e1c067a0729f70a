package dev.tresor.kms.attest.kbs;

import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.VersionRef;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@code /kbs/v0/resource/{repository}/{type}/{tag}[?version=n]} of one KMS instance: repository =
 * key ring id, type {@code key}, tag = key id, version = a version number (absent: the primary).
 * The answer is the version as a JWK, like REST release. Nothing else is a resource: KMIP's
 * secret data and opaque objects have no release terms and are never served here.
 */
public record KbsResourcePath(String repository, String type, String tag, OptionalLong version) {
    public static final String KEY = "key";

    public KbsResourcePath {
        Objects.requireNonNull(repository);
        Objects.requireNonNull(type);
        Objects.requireNonNull(tag);
        Objects.requireNonNull(version);
    }

    /** The key version this path names; NOT_FOUND for any type but {@code key} or a version below 1. */
    public VersionRef versionRef() {
        if (!type.equals(KEY)) {
            throw KmsError.notFound("resource type " + KbsRequest.abbreviated(type) + " (only 'key' is served)");
        }
        if (version.isPresent() && version.getAsLong() < 1) {
            throw KmsError.notFound("version " + version.getAsLong());
        }
        KeyRef key = KeyRef.of(repository, tag);
        return version.isPresent() ? key.version(version.getAsLong()) : key.primary();
    }
}
