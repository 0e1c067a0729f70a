package dev.tresor.kms.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE_LEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKF_DECRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKF_ENCRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKF_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKF_VERIFY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP_KWP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ATTRIBUTE_VALUE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_FUNCTION_NOT_PERMITTED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_PIN_LOCKED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_TEMPLATE_INCOMPLETE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_TEMPLATE_INCONSISTENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_SO;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.MechanismInfo;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenInfo;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;

/**
 * The library through the IAIK wrapper with a configured server that refuses connections:
 * everything that needs no round trip works, and every round trip fails as the note's error
 * table says (CKR_DEVICE_ERROR, never CKR_DEVICE_REMOVED).
 */
class ModuleWithoutServerTest {
    private static PKCS11Module module;
    private static Token token;
    private Session session;

    @BeforeAll
    static void load() throws Exception {
        LibraryUnderTest.configureUnreachableServer();
        module = PKCS11Module.getInstance(LibraryUnderTest.library().toString());
        module.initialize();
        Slot[] slots = module.getSlotList(true);
        assertEquals(1, slots.length);
        token = slots[0].getToken();
    }

    @AfterAll
    static void unload() throws Exception {
        module.finalize(null);
    }

    @BeforeEach
    void open() throws Exception {
        session = token.openSession(true);
    }

    @AfterEach
    void close() throws Exception {
        session.closeSession();
    }

    @Test
    void tokenShowsTheConfiguredProjectAndNeedsNoLogin() throws Exception {
        TokenInfo info = token.getTokenInfo();
        assertEquals("dev", info.getLabel().trim());
        assertEquals("project-1", info.getSerialNumber().trim());
        assertEquals("Tresor", info.getManufacturerID().trim());
        assertTrue(info.isTokenInitialized());
        assertFalse(info.isLoginRequired());
    }

    @Test
    void everyMechanismPairsDecryptWithEncryptAndVerifyWithSign() {
        long[] mechanisms = token.getMechanismList();
        assertTrue(Arrays.stream(mechanisms).anyMatch(m -> m == CKM_AES_GCM));
        for (long mechanism : mechanisms) {
            MechanismInfo info = token.getMechanismInfo(mechanism);
            assertEquals(info.hasFlagBit(CKF_ENCRYPT), info.hasFlagBit(CKF_DECRYPT), Long.toHexString(mechanism));
            assertEquals(info.hasFlagBit(CKF_SIGN), info.hasFlagBit(CKF_VERIFY), Long.toHexString(mechanism));
        }
    }

    @Test
    void anyUserPinLogsInAndTheSecurityOfficerIsLocked() throws Exception {
        assertCkr(CKR_PIN_LOCKED, () -> session.login(CKU_SO, "so".toCharArray()));
        session.login(CKU_USER, new char[0]);
        session.logout();
        session.login(CKU_USER, "any pin at all".toCharArray());
        session.logout();
    }

    @Test
    void sessionDataKeysAreGeneratedReadAndDestroyedInTheLibrary() throws Exception {
        long key = session.generateKey(new Mechanism(CKM_GENERIC_SECRET_KEY_GEN), AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
                .token(false).valueLen(64).extractable(true).sensitive(false).label("volume-7")
                .id("volume-7".getBytes(StandardCharsets.UTF_8)));
        byte[] value = session.getAttrValues(key, CKA_VALUE).value();
        assertEquals(64, value.length);
        assertArrayEquals(value, session.getAttrValues(key, CKA_VALUE).value());
        long[] found = session.findObjectsSingle(new AttributeVector().token(false)
                .id("volume-7".getBytes(StandardCharsets.UTF_8)), 10);
        assertArrayEquals(new long[] {key}, found);
        session.destroyObject(key);
        assertCkr(CKR_OBJECT_HANDLE_INVALID, () -> session.getAttrValues(key, CKA_VALUE));
    }

    @Test
    void sensitiveSessionKeysDoNotRevealTheirValue() throws Exception {
        long key = session.generateKey(new Mechanism(CKM_AES_KEY_GEN), AttributeVector.newSecretKey(CKK_AES)
                .token(false).valueLen(32).sensitive(true));
        assertNull(session.getAttrValues(key, CKA_VALUE).value());
        assertEquals(32, session.getAttrValues(key, CKA_VALUE_LEN).valueLen());
    }

    @Test
    void sessionKeysCannotEncryptOrWrap() throws Exception {
        long key = session.generateKey(new Mechanism(CKM_AES_KEY_GEN), AttributeVector.newSecretKey(CKK_AES)
                .token(false).valueLen(32).encrypt(true).wrap(true).extractable(true));
        Mechanism gcm = new Mechanism(CKM_AES_GCM, new GCM_PARAMS(new byte[12], new byte[0], 128));
        assertCkr(CKR_KEY_FUNCTION_NOT_PERMITTED, () -> session.encryptInit(gcm, key));
        assertCkr(CKR_KEY_FUNCTION_NOT_PERMITTED, () -> session.wrapKey(new Mechanism(CKM_AES_KEY_WRAP_KWP), key, key));
    }

    @Test
    void badTemplatesAreRefusedBeforeAnyRoundTrip() {
        Mechanism aes = new Mechanism(CKM_AES_KEY_GEN);
        assertCkr(CKR_TEMPLATE_INCOMPLETE, () -> session.generateKey(aes, AttributeVector.newSecretKey(CKK_AES).token(true)));
        assertCkr(CKR_ATTRIBUTE_VALUE_INVALID, () -> session.generateKey(aes,
                AttributeVector.newSecretKey(CKK_AES).token(true).valueLen(20)));
        assertCkr(CKR_ATTRIBUTE_VALUE_INVALID, () -> session.generateKey(aes,
                AttributeVector.newSecretKey(CKK_AES).token(true).valueLen(32).extractable(true)));
        KeyPairTemplate sessionPair = new KeyPairTemplate(CKK_RSA).token(false);
        sessionPair.publicKey().modulusBits(2048);
        assertCkr(CKR_TEMPLATE_INCONSISTENT, () -> session.generateKeyPair(new Mechanism(CKM_RSA_PKCS_KEY_PAIR_GEN), sessionPair));
    }

    @Test
    void roundTripsToAnUnreachableServerFailWithDeviceError() {
        assertCkr(CKR_DEVICE_ERROR, () -> session.generateRandom(32));
        assertCkr(CKR_DEVICE_ERROR, () -> session.findObjectsSingle(new AttributeVector().label("kek"), 10));
        assertCkr(CKR_DEVICE_ERROR, () -> session.generateKey(new Mechanism(CKM_AES_KEY_GEN),
                AttributeVector.newSecretKey(CKK_AES).token(true).valueLen(32).label("kek")));
    }

    static void assertCkr(long expected, Executable call) {
        PKCS11Exception e = assertThrows(PKCS11Exception.class, call);
        assertEquals(expected, e.getErrorCode(), () -> "got " + e.getErrorName());
    }
}
