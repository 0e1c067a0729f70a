package dev.tresor.kms.rest;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a client does on its own machine with the JDK alone: read a PEM public key, RSA-OAEP
 * encrypt to it (MGF1 with the OAEP hash, empty label), check signatures, and wrap BYOK material
 * the two ways the import accepts.
 */
final class ClientCrypto {
    private ClientCrypto() {
    }

    static PublicKey publicKey(String pem, String algorithm) throws GeneralSecurityException {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** {@code hash}: "SHA-256" or "SHA-512". */
    static byte[] oaepEncrypt(PublicKey key, String hash, byte[] plaintext) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new OAEPParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash),
                PSource.PSpecified.DEFAULT));
        return cipher.doFinal(plaintext);
    }

    /** RSA-OAEP of a fresh AES-256 key ‖ AES-KWP (RFC 5649) of the material under it. */
    static byte[] oaepAesKeyWrap(PublicKey key, String hash, byte[] material) throws GeneralSecurityException {
        byte[] ephemeral = new byte[32];
        new java.security.SecureRandom().nextBytes(ephemeral);
        SecretKey aes = new SecretKeySpec(ephemeral, "AES");
        Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
        kwp.init(Cipher.WRAP_MODE, aes);
        byte[] wrappedMaterial = kwp.wrap(new SecretKeySpec(material, "AES"));
        byte[] wrappedKey = oaepEncrypt(key, hash, ephemeral);
        byte[] out = new byte[wrappedKey.length + wrappedMaterial.length];
        System.arraycopy(wrappedKey, 0, out, 0, wrappedKey.length);
        System.arraycopy(wrappedMaterial, 0, out, wrappedKey.length, wrappedMaterial.length);
        return out;
    }

    /** {@code jcaAlgorithm}: e.g. SHA256withECDSA (DER), SHA256withRSA, or RSASSA-PSS (SHA-256, salt 32). */
    static boolean verify(PublicKey key, String jcaAlgorithm, byte[] message, byte[] signature)
            throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(jcaAlgorithm);
        if (jcaAlgorithm.equals("RSASSA-PSS")) {
            verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }
}
