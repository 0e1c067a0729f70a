package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.kmip.message.KmipFailure;
import dev.tresor.kms.kmip.message.ResultReason;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * KMIP Cryptographic Algorithm, Length and Recommended Curve onto the core's key types, and the
 * Cryptographic Usage Mask onto its usages. Mask bits with no core meaning (Export, Derive Key,
 * ...) are kept in the object's attributes but grant nothing.
 */
final class KeyTypes {
    static final int AES = 0x03;
    static final int RSA = 0x04;
    static final int ECDSA = 0x06;
    static final int HMAC_SHA256 = 0x09;
    static final int HMAC_SHA384 = 0x0A;
    static final int HMAC_SHA512 = 0x0B;
    static final int EC = 0x1A;
    static final int CHACHA20 = 0x1C;
    static final int CHACHA20_POLY1305 = 0x1E;

    private static final int P_256 = 0x07;
    private static final int P_384 = 0x0A;
    private static final int P_521 = 0x0D;

    private static final Map<Integer, KeyUsage> MASK_BITS = Map.of(
            0x01, KeyUsage.SIGN, 0x02, KeyUsage.VERIFY, 0x04, KeyUsage.ENCRYPT, 0x08, KeyUsage.DECRYPT,
            0x10, KeyUsage.WRAP, 0x20, KeyUsage.UNWRAP, 0x80, KeyUsage.MAC_GENERATE, 0x100, KeyUsage.MAC_VERIFY);

    private KeyTypes() {
    }

    static KeyType keyType(int algorithm, int length, int curve) {
        return switch (algorithm) {
            case AES -> switch (length) {
                case 128 -> KeyType.AES_128;
                case 192 -> KeyType.AES_192;
                case 256 -> KeyType.AES_256;
                default -> throw unsupported("AES keys are 128, 192 or 256 bits, not " + length);
            };
            case RSA -> switch (length) {
                case 2048 -> KeyType.RSA_2048;
                case 3072 -> KeyType.RSA_3072;
                case 4096 -> KeyType.RSA_4096;
                default -> throw unsupported("RSA keys are 2048, 3072 or 4096 bits, not " + length);
            };
            case EC, ECDSA -> switch (curve != 0 ? curve : curveOfLength(length)) {
                case P_256 -> KeyType.EC_P256;
                case P_384 -> KeyType.EC_P384;
                case P_521 -> KeyType.EC_P521;
                default -> throw unsupported("EC keys use P-256, P-384 or P-521");
            };
            case HMAC_SHA256 -> KeyType.HMAC_SHA256;
            case HMAC_SHA384 -> KeyType.HMAC_SHA384;
            case HMAC_SHA512 -> KeyType.HMAC_SHA512;
            case CHACHA20, CHACHA20_POLY1305 -> {
                if (length != 256) {
                    throw unsupported("ChaCha20 keys are 256 bits, not " + length);
                }
                yield algorithm == CHACHA20 ? KeyType.CHACHA20 : KeyType.CHACHA20_POLY1305;
            }
            default -> throw unsupported("cryptographic algorithm " + algorithm + " is not offered");
        };
    }

    private static int curveOfLength(int length) {
        return switch (length) {
            case 256 -> P_256;
            case 384 -> P_384;
            case 521 -> P_521;
            default -> 0;
        };
    }

    static int algorithm(KeyType type) {
        return switch (type.family()) {
            case AES -> AES;
            case RSA -> RSA;
            case EC -> EC;
            case HMAC -> switch (type) {
                case HMAC_SHA384 -> HMAC_SHA384;
                case HMAC_SHA512 -> HMAC_SHA512;
                default -> HMAC_SHA256;
            };
            case CHACHA20 -> type == KeyType.CHACHA20 ? CHACHA20 : CHACHA20_POLY1305;
        };
    }

    /**
     * The core usages a mask grants a key of {@code type}. Bits the type cannot honour grant
     * nothing; the mask itself is kept as the client set it. MAC on an AES key is HMAC over its
     * bytes, and only under HMAC parameters (CMAC is not offered).
     */
    static Set<KeyUsage> usages(int mask, KeyType type) {
        Set<KeyUsage> usages = EnumSet.noneOf(KeyUsage.class);
        MASK_BITS.forEach((bit, usage) -> {
            if ((mask & bit) != 0 && possible(type, usage)) {
                usages.add(usage);
            }
        });
        return usages;
    }

    private static boolean possible(KeyType type, KeyUsage usage) {
        return switch (type.family()) {
            case AES -> usage != KeyUsage.SIGN && usage != KeyUsage.VERIFY;
            case RSA -> usage != KeyUsage.MAC_GENERATE && usage != KeyUsage.MAC_VERIFY;
            case EC -> usage == KeyUsage.SIGN || usage == KeyUsage.VERIFY;
            case HMAC -> usage == KeyUsage.MAC_GENERATE || usage == KeyUsage.MAC_VERIFY;
            case CHACHA20 -> usage == KeyUsage.ENCRYPT || usage == KeyUsage.DECRYPT;
        };
    }

    private static KmipFailure unsupported(String message) {
        return new KmipFailure(ResultReason.INVALID_FIELD, message);
    }
}
