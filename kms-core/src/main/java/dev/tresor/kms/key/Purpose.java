package dev.tresor.kms.key;

import java.util.EnumSet;
import java.util.Set;

/** The STACKIT key purpose: a named set of usages. */
public enum Purpose {
    SYMMETRIC_ENCRYPT_DECRYPT("symmetric_encrypt_decrypt", EnumSet.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT)),
    ASYMMETRIC_ENCRYPT_DECRYPT("asymmetric_encrypt_decrypt", EnumSet.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT)),
    MESSAGE_AUTHENTICATION_CODE("message_authentication_code", EnumSet.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY)),
    ASYMMETRIC_SIGN_VERIFY("asymmetric_sign_verify", EnumSet.of(KeyUsage.SIGN, KeyUsage.VERIFY));

    private final String wireName;
    private final Set<KeyUsage> usages;

    Purpose(String wireName, Set<KeyUsage> usages) {
        this.wireName = wireName;
        this.usages = usages;
    }

    public String wireName() {
        return wireName;
    }

    public Set<KeyUsage> usages() {
        return EnumSet.copyOf(usages);
    }

    public static java.util.Optional<Purpose> fromWire(String name) {
        for (Purpose p : values()) {
            if (p.wireName.equals(name)) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }
}
