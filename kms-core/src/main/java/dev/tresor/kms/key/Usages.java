package dev.tresor.kms.key;

import dev.tresor.kms.tenant.KmipLegacy;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which usages each family of key can have at all, and which may not meet on one key. MAC on an
 * AES key is HMAC keyed with its bytes, under the HMAC scheme a call names (KMIP Cryptographic
 * Parameters); CMAC is not offered. So that the same bytes never key both a cipher and an HMAC,
 * an AES key that may MAC may not also encrypt, decrypt, wrap or unwrap, unless its project opted
 * in for legacy KMIP clients ({@link KmipLegacy#aesMacWithCipher}).
 */
public final class Usages {
    private static final Set<KeyUsage> CIPHER = EnumSet.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT, KeyUsage.WRAP,
            KeyUsage.UNWRAP);
    private static final Set<KeyUsage> MAC = EnumSet.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY);

    private Usages() {
    }

    static Set<KeyUsage> allowed(KeyType type) {
        return switch (type.family()) {
            case AES -> EnumSet.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT, KeyUsage.WRAP, KeyUsage.UNWRAP,
                    KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY);
            case RSA -> EnumSet.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT, KeyUsage.WRAP, KeyUsage.UNWRAP,
                    KeyUsage.SIGN, KeyUsage.VERIFY);
            case EC -> EnumSet.of(KeyUsage.SIGN, KeyUsage.VERIFY);
            case HMAC -> EnumSet.of(KeyUsage.MAC_GENERATE, KeyUsage.MAC_VERIFY);
            case CHACHA20 -> EnumSet.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT);
        };
    }

    /** Why a key of {@code type} in a project with {@code legacy} may not hold {@code usages}, or empty when it may. */
    public static Optional<String> conflict(KeyType type, Set<KeyUsage> usages, KmipLegacy legacy) {
        if (type.family() != KeyType.Family.AES || legacy.aesMacWithCipher()) {
            return Optional.empty();
        }
        List<KeyUsage> mac = usages.stream().filter(MAC::contains).sorted().toList();
        List<KeyUsage> cipher = usages.stream().filter(CIPHER::contains).sorted().toList();
        if (mac.isEmpty() || cipher.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("usages " + names(mac) + " conflict with " + names(cipher) + " on a " + type
                + " key: its MAC is an HMAC keyed with the same bytes, so a MAC key may not also encrypt,"
                + " decrypt, wrap or unwrap (unless the project allows it for legacy KMIP clients: kmipAesMacWithCipher)");
    }

    private static String names(List<KeyUsage> usages) {
        return String.join(", ", usages.stream().map(KeyUsage::name).toList());
    }
}
