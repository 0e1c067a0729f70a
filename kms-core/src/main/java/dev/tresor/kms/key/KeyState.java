package dev.tresor.kms.key;

/** A key's state, as STACKIT names it: {@code active}, {@code no_version} (import-only, nothing imported yet), {@code deleted}. */
public enum KeyState {
    ACTIVE, NO_VERSION, DELETED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
