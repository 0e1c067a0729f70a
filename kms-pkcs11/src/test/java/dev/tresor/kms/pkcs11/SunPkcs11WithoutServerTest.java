package dev.tresor.kms.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDK's own SunPKCS11 provider loads the library (C_Initialize, info, slots, token,
 * sessions, the mechanism list and every mechanism's info) and offers the JCA services the
 * CSI drivers use; with the server unreachable, loading the KeyStore fails instead of
 * showing an empty token.
 */
class SunPkcs11WithoutServerTest {
    private static Provider provider;

    @BeforeAll
    static void configure() {
        LibraryUnderTest.configureUnreachableServer();
        provider = Security.getProvider("SunPKCS11").configure(
                "--name=Tresor\nlibrary=" + LibraryUnderTest.library() + "\nslotListIndex=0\n");
    }

    @Test
    void offersAesGcmSignaturesKeyStoreAndRandomFromTheMechanismList() {
        assertNotNull(provider.getService("Cipher", "AES/GCM/NoPadding"));
        assertNotNull(provider.getService("Signature", "SHA256withRSA"));
        assertNotNull(provider.getService("Signature", "SHA256withECDSA"));
        assertNotNull(provider.getService("KeyStore", "PKCS11"));
        assertNotNull(provider.getService("SecureRandom", "PKCS11"));
    }

    @Test
    void keyStoreLoadingReportsTheUnreachableServer() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS11", provider);
        IOException e = assertThrows(IOException.class, () -> store.load(null, new char[0]));
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(String.valueOf(cause.getMessage()).contains("CKR_DEVICE_ERROR"), () -> e.toString());
        assertEquals("PKCS11", store.getType());
    }
}
