package dev.tresor.kms.key;

import java.util.EnumSet;
import java.util.Set;

/**
 * Which usages each family of key can have at all. MAC on an AES key is HMAC keyed with its bytes,
 * under the HMAC scheme a call names (KMIP Cryptographic Parameters); CMAC is not offered.
 */
final class Usages {
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
}
