package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Get with a Key Wrapping Specification over real mutual TLS against a real core: the key comes
 * back wrapped under another key with NIST Key Wrap, and the JDK's own AES key unwrap recovers
 * exactly the material a plain Get gives.
 */
class KmipGetWrappedTest {
    private static final int AES = 0x03;
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int WRAP_KEY = 0x10;
    private static final int NIST_KEY_WRAP = 0x0D;
    private static final int WRAPPING_METHOD_ENCRYPT = 0x01;
    private static final int WRAPPING_METHOD_MAC_SIGN = 0x02;

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static String activeAes(Kmip kmip, int usageMask) throws Exception {
        String uid = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, usageMask)))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
        kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
        return uid;
    }

    private static byte[] plainMaterial(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET, Kmip.uid(uid)).require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK)
                .require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes().toArray();
    }

    private static Ttlv wrappedUnder(String wrapper, int method) {
        return Ttlv.structure(Tag.KEY_WRAPPING_SPECIFICATION, Ttlv.enumeration(Tag.WRAPPING_METHOD, method),
                Ttlv.structure(Tag.ENCRYPTION_KEY_INFORMATION, Kmip.uid(wrapper),
                        Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS,
                                Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, NIST_KEY_WRAP))));
    }

    @Test
    void aKeyWrappedWithNistKeyWrapUnwrapsToItsMaterial() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String wrapper = activeAes(kmip, WRAP_KEY);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);

            Ttlv block = kmip.ok(Operation.GET, Kmip.uid(key), wrappedUnder(wrapper, WRAPPING_METHOD_ENCRYPT))
                    .require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK);

            assertEquals(wrappedUnder(wrapper, WRAPPING_METHOD_ENCRYPT).items(),
                    block.require(Tag.KEY_WRAPPING_DATA).items(), "the Key Wrapping Data names how it was wrapped");
            Cipher unwrap = Cipher.getInstance("AESWrap");
            unwrap.init(Cipher.UNWRAP_MODE, new SecretKeySpec(plainMaterial(kmip, wrapper), "AES"));
            byte[] unwrapped = unwrap.unwrap(block.require(Tag.KEY_VALUE).asBytes().toArray(), "AES",
                    Cipher.SECRET_KEY).getEncoded();
            assertArrayEquals(plainMaterial(kmip, key), unwrapped);
        }
    }

    @Test
    void aWrapperWithoutWrapKeyUsageOrAnotherWrappingMethodIsRefused() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String notAWrapper = activeAes(kmip, ENCRYPT_DECRYPT);
            String wrapper = activeAes(kmip, WRAP_KEY);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);
            assertEquals(ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK.code(), kmip.refused(Operation.GET,
                    Kmip.uid(key), wrappedUnder(notAWrapper, WRAPPING_METHOD_ENCRYPT)));
            assertEquals(ResultReason.FEATURE_NOT_SUPPORTED.code(), kmip.refused(Operation.GET, Kmip.uid(key),
                    wrappedUnder(wrapper, WRAPPING_METHOD_MAC_SIGN)));
        }
    }
}
