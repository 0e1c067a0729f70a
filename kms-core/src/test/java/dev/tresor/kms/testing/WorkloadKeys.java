package dev.tresor.kms.testing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/** The workload's side of a release in tests: an ephemeral RSA key and decrypting the RSA-OAEP-256/A256GCM JWE. */
public final class WorkloadKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private WorkloadKeys() {
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The payload of a compact RSA-OAEP-256 + A256GCM JWE, done by hand with the JDK as a workload would. */
    public static byte[] decrypt(String compact, PrivateKey key) throws GeneralSecurityException {
        String[] jwe = compact.split("\\.");
        if (jwe.length != 5) {
            throw new IllegalArgumentException("a compact JWE has five segments, not " + jwe.length);
        }
        Base64.Decoder b64 = Base64.getUrlDecoder();
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.DECRYPT_MODE, key, new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        byte[] cek = oaep.doFinal(b64.decode(jwe[1]));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, b64.decode(jwe[2])));
        gcm.updateAAD(jwe[0].getBytes(StandardCharsets.US_ASCII));
        byte[] ciphertext = b64.decode(jwe[3]);
        byte[] tag = b64.decode(jwe[4]);
        byte[] sealed = Arrays.copyOf(ciphertext, ciphertext.length + tag.length);
        System.arraycopy(tag, 0, sealed, ciphertext.length, tag.length);
        return gcm.doFinal(sealed);
    }

    /** The JWE's protected header as JSON text. */
    public static String header(String compact) {
        return new String(Base64.getUrlDecoder().decode(compact.substring(0, compact.indexOf('.'))),
                StandardCharsets.UTF_8);
    }
}
