package dev.tresor.kms.tenant;

import dev.tresor.kms.service.KmsError;
import java.util.EnumSet;
import java.util.Set;

/** A principal's role within one KMS instance; default deny outside the listed rights. */
public enum Role {
    ADMIN("admin", EnumSet.allOf(Right.class)),
    KEY_ADMIN("key-admin", EnumSet.of(Right.LIFECYCLE, Right.READ_METADATA)),
    CRYPTO_USER("crypto-user", EnumSet.of(Right.CRYPTO, Right.READ_METADATA)),
    AUDITOR("auditor", EnumSet.of(Right.READ_METADATA, Right.EXPORT));

    private final String wireName;
    private final Set<Right> rights;

    Role(String wireName, Set<Right> rights) {
        this.wireName = wireName;
        this.rights = rights;
    }

    public boolean allows(Right right) {
        return rights.contains(right);
    }

    public String wireName() {
        return wireName;
    }

    public static Role fromWire(String name) {
        for (Role role : values()) {
            if (role.wireName.equals(name)) {
                return role;
            }
        }
        throw KmsError.invalid("unknown role '" + name + "' (admin, key-admin, crypto-user, auditor)");
    }
}
