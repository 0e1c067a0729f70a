package dev.tresor.kms.key;

/** A key version's state, as STACKIT names it. */
public enum VersionState {
    ACTIVE, DISABLED, DESTROYED, KEY_MATERIAL_INVALID;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
