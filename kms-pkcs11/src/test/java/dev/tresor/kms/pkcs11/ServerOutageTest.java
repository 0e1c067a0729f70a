package dev.tresor.kms.pkcs11;

import static dev.tresor.kms.pkcs11.ModuleWithoutServerTest.assertCkr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_ERROR;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;

/**
 * A stopped server is CKR_DEVICE_ERROR (never CKR_DEVICE_REMOVED); when it is back, the same
 * session and key handle work again over fresh connections, and the key survived.
 */
class ServerOutageTest {
    @RegisterExtension
    static final TresorWithLibrary tresor = TresorWithLibrary.withHourlyBudget(10_000_000);

    @Test
    void callsFailWithDeviceErrorWhileTheServerIsDownAndRecoverAfter() throws Exception {
        Session session = tresor.token().openSession(true);
        long key = session.generateKey(new Mechanism(CKM_AES_KEY_GEN), AttributeVector.newSecretKey(CKK_AES)
                .token(true).valueLen(32).label("survivor").encrypt(true).decrypt(true));
        Mechanism gcm = new Mechanism(CKM_AES_GCM, new GCM_PARAMS(new byte[12], new byte[0], 128));
        byte[] sealed = session.encryptSingle(gcm, key, new byte[] {1, 2, 3});

        tresor.server().stop();
        assertCkr(CKR_DEVICE_ERROR, () -> session.generateRandom(16));
        assertCkr(CKR_DEVICE_ERROR, () -> session.decryptSingle(gcm, key, sealed));

        tresor.server().restart();
        assertEquals(16, session.generateRandom(16).length);
        assertArrayEquals(new byte[] {1, 2, 3}, session.decryptSingle(gcm, key, sealed));
        session.closeSession();
    }
}
