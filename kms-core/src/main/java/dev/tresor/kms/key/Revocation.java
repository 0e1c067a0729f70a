package dev.tresor.kms.key;

/**
 * Why a version was revoked (KMIP Revoke), which is more than disabled: a revoked version of an
 * exportable key may still be exported (KMIP allows Get of a Deactivated or Compromised key), a
 * version merely disabled may not, and an export of a revoked version is audited as such.
 */
public enum Revocation {
    /** Revoked for any reason but a compromise (KMIP Deactivated). */
    REVOKED("revoked"),
    /** Revoked for a key or CA compromise (KMIP Compromised). */
    COMPROMISED("compromised");

    private final String wireName;

    Revocation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
