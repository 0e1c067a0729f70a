package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.VersionRef;

/**
 * How a KMIP Unique Identifier names a core key version: a KMIP object is one version of one
 * core key (ReKey = a new version = a new object), and a key pair is two objects of the same
 * version. Form: {@code <keyId>} for version 1, {@code <keyId>.<n>} for version n, with
 * {@code .public} appended for the public half of a pair.
 */
record ObjectId(String keyId, long version, boolean isPublic) {
    private static final String PUBLIC = ".public";

    ObjectId {
        if (keyId.isEmpty() || keyId.contains(".") || version < 1) {
            throw KmsError.notFound("object " + keyId);
        }
    }

    static ObjectId parse(String uid) {
        boolean publicHalf = uid.endsWith(PUBLIC);
        String rest = publicHalf ? uid.substring(0, uid.length() - PUBLIC.length()) : uid;
        int dot = rest.indexOf('.');
        if (dot < 0) {
            return new ObjectId(rest, 1, publicHalf);
        }
        try {
            return new ObjectId(rest.substring(0, dot), Long.parseLong(rest.substring(dot + 1)), publicHalf);
        } catch (NumberFormatException e) {
            throw KmsError.notFound("object " + uid);
        }
    }

    String uid() {
        return keyId + (version == 1 ? "" : "." + version) + (isPublic ? PUBLIC : "");
    }

    ObjectId toPublic() {
        return new ObjectId(keyId, version, true);
    }

    ObjectId toPrivate() {
        return new ObjectId(keyId, version, false);
    }

    KeyRef key() {
        return KeyRef.byId(keyId);
    }

    VersionRef versionRef() {
        return key().version(version);
    }

    @Override
    public String toString() {
        return uid();
    }
}
