package dev.tresor.kms.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's SunPKCS11 provider on libtresor-pkcs11 and a real server: keys it generates are
 * Tresor keys (the configuration makes them token objects with a label), its KeyStore lists
 * them by label, and AES/GCM/NoPadding (16- and 12-byte tags, associated data) and SHA256withRSA
 * work, checked by the JDK's own code. (JDK 17's SunPKCS11 crashes in its own JNI code on an
 * empty GCM doFinal() before it reaches the library, so empty data is tested through IAIK.)
 */
class SunPkcs11AgainstTresorTest {
    private static final String KEK = "sun-kek";

    @TempDir
    static Path serverDirectory;
    private static TresorDevServer server;
    private static Provider provider;

    @BeforeAll
    static void start() {
        server = TresorDevServer.start(serverDirectory, 10_000_000);
        String label = HexFormat.of().formatHex(KEK.getBytes(StandardCharsets.UTF_8));
        String signer = HexFormat.of().formatHex("sun-signer".getBytes(StandardCharsets.UTF_8));
        provider = Security.getProvider("SunPKCS11").configure("--name=Tresor\n"
                + "library=" + LibraryUnderTest.library() + "\n"
                + "slotListIndex=0\n"
                + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = { CKA_TOKEN = true CKA_LABEL = 0h" + label + " }\n"
                + "attributes(generate, CKO_PRIVATE_KEY, CKK_RSA) = { CKA_TOKEN = true CKA_LABEL = 0h" + signer
                + " CKA_DECRYPT = false }\n"
                + "attributes(generate, CKO_PUBLIC_KEY, CKK_RSA) = { CKA_TOKEN = true CKA_LABEL = 0h" + signer + " }\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void generatedAesKeysAreListedByTheKeyStoreAndEncryptWithGcm() throws Exception {
        KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
        generator.init(256);
        SecretKey generated = generator.generateKey();
        KeyStore store = KeyStore.getInstance("PKCS11", provider);
        store.load(null, new char[0]);
        List<String> aliases = Collections.list(store.aliases());
        assertTrue(aliases.contains(KEK), aliases::toString);
        SecretKey key = (SecretKey) store.getKey(KEK, new char[0]);
        assertEquals("AES", key.getAlgorithm());

        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        byte[] plain = "a 64-byte volume key would go here".getBytes(StandardCharsets.UTF_8);
        Cipher encrypt = Cipher.getInstance("AES/GCM/NoPadding", provider);
        encrypt.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        byte[] sealed = encrypt.doFinal(plain);
        assertEquals(plain.length + 16, sealed.length);
        Cipher decrypt = Cipher.getInstance("AES/GCM/NoPadding", provider);
        decrypt.init(Cipher.DECRYPT_MODE, generated, new GCMParameterSpec(128, iv));
        assertArrayEquals(plain, decrypt.doFinal(sealed));
    }

    @Test
    void gcmWithATwelveByteTagAndAssociatedDataMatchesTheJdk() throws Exception {
        KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
        generator.init(256);
        SecretKey key = generator.generateKey();
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        byte[] aad = "pv-42".getBytes(StandardCharsets.UTF_8);
        byte[] plain = "a data key sealed with a short tag".getBytes(StandardCharsets.UTF_8);
        Cipher encrypt = Cipher.getInstance("AES/GCM/NoPadding", provider);
        encrypt.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(96, iv));
        encrypt.updateAAD(aad);
        byte[] sealed = encrypt.doFinal(plain);
        assertEquals(plain.length + 12, sealed.length);
        Cipher decrypt = Cipher.getInstance("AES/GCM/NoPadding", provider);
        decrypt.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(96, iv));
        decrypt.updateAAD(aad);
        assertArrayEquals(plain, decrypt.doFinal(sealed));
    }

    @Test
    void sha256WithRsaSignaturesVerifyWithTheJdk() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", provider);
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        byte[] message = "signed in Tresor".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withRSA", provider);
        signer.initSign(pair.getPrivate());
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA", "SunRsaSign");
        verifier.initVerify(java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.X509EncodedKeySpec(pair.getPublic().getEncoded())));
        verifier.update(message);
        assertTrue(verifier.verify(signature));
    }
}
