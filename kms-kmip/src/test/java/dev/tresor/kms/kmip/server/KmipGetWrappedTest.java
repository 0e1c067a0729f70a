package dev.tresor.kms.kmip.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.message.ProtocolVersion;
import dev.tresor.kms.kmip.message.ResultReason;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.testing.TestCore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Get with a Key Wrapping Specification over real mutual TLS against a real core: the key comes
 * back wrapped under another key (NIST Key Wrap or AES Key Wrap with Padding), and the JDK's own
 * AES key unwrap recovers exactly what a plain Get gives, TTLV-encoded unless No Encoding was
 * asked. A key whose material may not leave stays in, whatever the wrapping key.
 */
class KmipGetWrappedTest {
    private static final int AES = 0x03;
    private static final int HMAC_SHA256 = 0x09;
    private static final int EC = 0x1A;
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int WRAP_KEY = 0x10;
    private static final int MAC_GENERATE = 0x80;
    private static final int GCM = 0x09;
    private static final int AES_KEY_WRAP_PADDING = 0x0C;
    private static final int NIST_KEY_WRAP = 0x0D;
    private static final int WRAPPING_METHOD_ENCRYPT = 0x01;
    private static final int WRAPPING_METHOD_MAC_SIGN = 0x02;
    private static final int NO_ENCODING = 0x01;
    private static final int TRANSPARENT_SYMMETRIC_KEY = 0x07;
    private static final String POLICY = """
            {"version":"1.0","allOf":[{"claim":"tee","equals":"tdx"}]}""";

    @RegisterExtension
    static final KmipServerExtension LOOPBACK = new KmipServerExtension();

    private static String aes(Kmip kmip, int usageMask, Ttlv... more) throws Exception {
        List<Ttlv> attributes = new ArrayList<>(List.of(Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES),
                Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256), Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, usageMask)));
        attributes.addAll(List.of(more));
        return kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY),
                kmip.attributes(attributes.toArray(Ttlv[]::new))).require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    private static String activeAes(Kmip kmip, int usageMask, Ttlv... more) throws Exception {
        String uid = aes(kmip, usageMask, more);
        kmip.ok(Operation.ACTIVATE, Kmip.uid(uid));
        return uid;
    }

    private static byte[] plainMaterial(Kmip kmip, String uid) throws Exception {
        return kmip.ok(Operation.GET, Kmip.uid(uid)).require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK)
                .require(Tag.KEY_VALUE).require(Tag.KEY_MATERIAL).asBytes().toArray();
    }

    private static Ttlv keyInformation(String wrapper, int mode) {
        return Ttlv.structure(Tag.ENCRYPTION_KEY_INFORMATION, Kmip.uid(wrapper),
                Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS, Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, mode)));
    }

    private static Ttlv wrappedUnder(String wrapper, int method) {
        return Ttlv.structure(Tag.KEY_WRAPPING_SPECIFICATION, Ttlv.enumeration(Tag.WRAPPING_METHOD, method),
                keyInformation(wrapper, NIST_KEY_WRAP));
    }

    private static Ttlv wrappedUnder(String wrapper) {
        return wrappedUnder(wrapper, WRAPPING_METHOD_ENCRYPT);
    }

    private static byte[] unwrap(String transformation, byte[] wrappingKey, byte[] wrapped) throws Exception {
        Cipher cipher = Cipher.getInstance(transformation);
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(wrappingKey, "AES"));
        return cipher.doFinal(wrapped);
    }

    @Test
    void withoutAnEncodingOptionTheTtlvEncodedKeyValueIsWrapped() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String wrapper = activeAes(kmip, WRAP_KEY);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);

            Ttlv block = kmip.ok(Operation.GET, Kmip.uid(key), wrappedUnder(wrapper))
                    .require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK);

            assertEquals(List.of(Ttlv.enumeration(Tag.WRAPPING_METHOD, WRAPPING_METHOD_ENCRYPT),
                    keyInformation(wrapper, NIST_KEY_WRAP)), block.require(Tag.KEY_WRAPPING_DATA).items(),
                    "the Key Wrapping Data names the key and mode, and no Encoding Option");
            byte[] keyValue = TtlvWriter.write(Ttlv.structure(Tag.KEY_VALUE,
                    Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(plainMaterial(kmip, key)))));
            assertArrayEquals(keyValue, unwrap("AES/KW/NoPadding", plainMaterial(kmip, wrapper),
                    block.require(Tag.KEY_VALUE).asBytes().toArray()));
        }
    }

    @Test
    void withNoEncodingTheRawMaterialIsWrappedWithPaddingAndTheOptionEchoed() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V1_4);
            String wrapper = activeAes(kmip, WRAP_KEY);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);
            Ttlv noEncoding = Ttlv.enumeration(Tag.ENCODING_OPTION, NO_ENCODING);

            Ttlv block = kmip.ok(Operation.GET, Kmip.uid(key), Ttlv.structure(Tag.KEY_WRAPPING_SPECIFICATION,
                    Ttlv.enumeration(Tag.WRAPPING_METHOD, WRAPPING_METHOD_ENCRYPT),
                    keyInformation(wrapper, AES_KEY_WRAP_PADDING), noEncoding))
                    .require(Tag.SYMMETRIC_KEY).require(Tag.KEY_BLOCK);

            assertEquals(List.of(Ttlv.enumeration(Tag.WRAPPING_METHOD, WRAPPING_METHOD_ENCRYPT),
                    keyInformation(wrapper, AES_KEY_WRAP_PADDING), noEncoding),
                    block.require(Tag.KEY_WRAPPING_DATA).items());
            assertArrayEquals(plainMaterial(kmip, key), unwrap("AES/KWP/NoPadding", plainMaterial(kmip, wrapper),
                    block.require(Tag.KEY_VALUE).asBytes().toArray()));
        }
    }

    @Test
    void aKeyWhoseMaterialMayNotLeaveIsNotWrappedEither() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        try (KmipTestClient client = server.client()) {
            for (ProtocolVersion version : List.of(ProtocolVersion.V1_4, ProtocolVersion.V2_1)) {
                Kmip kmip = new Kmip(client, version);
                String wrapper = activeAes(kmip, WRAP_KEY);
                String sensitive = activeAes(kmip, ENCRYPT_DECRYPT, Ttlv.bool(Tag.SENSITIVE, true));
                String gated = activeAes(kmip, ENCRYPT_DECRYPT);
                server.core.core().keyManagement().setReleasePolicy(TestCore.caller(server.tenant, Role.ADMIN),
                        KeyRef.byId(gated), POLICY, Set.of());

                assertEquals(ResultReason.PERMISSION_DENIED.code(),
                        kmip.refused(Operation.GET, Kmip.uid(sensitive), wrappedUnder(wrapper)), version.toString());
                assertEquals(ResultReason.PERMISSION_DENIED.code(),
                        kmip.refused(Operation.GET, Kmip.uid(gated), wrappedUnder(wrapper)), version.toString());
            }
        }
    }

    @Test
    void aWrappingKeyNotUsableForProtectingIsRefused() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);
            String preActive = aes(kmip, WRAP_KEY);
            String deactivated = activeAes(kmip, WRAP_KEY);
            kmip.ok(Operation.REVOKE, Kmip.uid(deactivated), Ttlv.structure(Tag.REVOCATION_REASON,
                    Ttlv.enumeration(Tag.REVOCATION_REASON_CODE, 0x05)));
            Instant now = server.core.clock().instant();
            String expiring = activeAes(kmip, WRAP_KEY, Ttlv.dateTime(Tag.PROTECT_STOP_DATE, now.plusSeconds(60)));
            server.core.clock().advance(Duration.ofMinutes(2));

            for (String wrapper : List.of(preActive, deactivated, expiring)) {
                assertEquals(ResultReason.WRONG_KEY_LIFECYCLE_STATE.code(),
                        kmip.refused(Operation.GET, Kmip.uid(key), wrappedUnder(wrapper)), wrapper);
            }
        }
    }

    @Test
    void aWrappingKeyOfAnotherProjectIsNotFound() throws Exception {
        KmipTestServer server = LOOPBACK.server();
        String foreign;
        try (KmipTestClient other = server.clientOfNewProject(Role.ADMIN, 1000)) {
            foreign = activeAes(new Kmip(other, ProtocolVersion.V2_1), WRAP_KEY);
        }
        try (KmipTestClient client = server.client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);
            assertEquals(ResultReason.OBJECT_NOT_FOUND.code(),
                    kmip.refused(Operation.GET, Kmip.uid(key), wrappedUnder(foreign)));
        }
    }

    private static int refusedWithoutWrapKeyUsage(KmipTestClient client, ProtocolVersion version) throws Exception {
        Kmip kmip = new Kmip(client, version);
        String notAWrapper = activeAes(kmip, ENCRYPT_DECRYPT);
        String key = activeAes(kmip, ENCRYPT_DECRYPT);
        return kmip.refused(Operation.GET, Kmip.uid(key), wrappedUnder(notAWrapper));
    }

    @Test
    void aWrappingKeyWithoutWrapKeyUsageIsRefusedByVersion() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            assertEquals(ResultReason.INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK.code(),
                    refusedWithoutWrapKeyUsage(client, ProtocolVersion.V2_1));
            assertEquals(ResultReason.PERMISSION_DENIED.code(),
                    refusedWithoutWrapKeyUsage(client, ProtocolVersion.V1_4));
        }
    }

    @Test
    void onlyAnAesWrappingKeyWithAKeyWrapModeWraps() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);
            String wrapper = activeAes(kmip, WRAP_KEY);
            String hmac = kmip.ok(Operation.CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), kmip.attributes(
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, HMAC_SHA256),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, WRAP_KEY | MAC_GENERATE)))
                    .require(Tag.UNIQUE_IDENTIFIER).asText();
            kmip.ok(Operation.ACTIVATE, Kmip.uid(hmac));

            assertEquals(ResultReason.INVALID_FIELD.code(),
                    kmip.refused(Operation.GET, Kmip.uid(key), wrappedUnder(hmac)), "an HMAC key does not encrypt");
            assertEquals(ResultReason.FEATURE_NOT_SUPPORTED.code(), kmip.refused(Operation.GET, Kmip.uid(key),
                    Ttlv.structure(Tag.KEY_WRAPPING_SPECIFICATION,
                            Ttlv.enumeration(Tag.WRAPPING_METHOD, WRAPPING_METHOD_ENCRYPT),
                            keyInformation(wrapper, GCM))), "GCM is no key wrap mode");
            assertEquals(ResultReason.FEATURE_NOT_SUPPORTED.code(), kmip.refused(Operation.GET, Kmip.uid(key),
                    wrappedUnder(wrapper, WRAPPING_METHOD_MAC_SIGN)));
        }
    }

    @Test
    void theSpecificationMustNameTheWrappingKeyAndTheTargetBeRawSymmetric() throws Exception {
        try (KmipTestClient client = LOOPBACK.server().client()) {
            Kmip kmip = new Kmip(client, ProtocolVersion.V2_1);
            String key = activeAes(kmip, ENCRYPT_DECRYPT);
            String wrapper = activeAes(kmip, WRAP_KEY);
            String privateKey = kmip.ok(Operation.CREATE_KEY_PAIR, Ttlv.structure(Tag.COMMON_ATTRIBUTES,
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, EC), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256)))
                    .require(Tag.PRIVATE_KEY_UNIQUE_IDENTIFIER).asText();

            assertEquals(ResultReason.INVALID_FIELD.code(), kmip.refused(Operation.GET, Kmip.uid(key),
                    Ttlv.structure(Tag.KEY_WRAPPING_SPECIFICATION,
                            Ttlv.enumeration(Tag.WRAPPING_METHOD, WRAPPING_METHOD_ENCRYPT),
                            Ttlv.structure(Tag.ENCRYPTION_KEY_INFORMATION, Ttlv.structure(Tag.CRYPTOGRAPHIC_PARAMETERS,
                                    Ttlv.enumeration(Tag.BLOCK_CIPHER_MODE, NIST_KEY_WRAP))))),
                    "no Unique Identifier: the ID Placeholder is not taken for the wrapping key");
            assertEquals(ResultReason.FEATURE_NOT_SUPPORTED.code(),
                    kmip.refused(Operation.GET, Kmip.uid(privateKey), wrappedUnder(wrapper)));
            assertEquals(ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED.code(), kmip.refused(Operation.GET,
                    Kmip.uid(key), Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, TRANSPARENT_SYMMETRIC_KEY),
                    wrappedUnder(wrapper)));
        }
    }
}
