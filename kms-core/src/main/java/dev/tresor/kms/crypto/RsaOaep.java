package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.NonBlocking;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * RSAES-OAEP with every parameter spelled out: the scheme's hash for OAEP, its MGF1 hash (the JDK
 * would default MGF1 to SHA-1) and the label (P Source; empty unless the caller names one).
 */
final class RsaOaep {
    private static final String TRANSFORMATION = "RSA/ECB/OAEPPadding";

    private RsaOaep() {
    }

    static OAEPParameterSpec spec(Scheme scheme, byte[] labelOrNull) {
        return new OAEPParameterSpec(Hash.of(scheme).jcaName(), "MGF1", Hash.named(scheme.mgf1Hash()).mgf1(),
                labelOrNull == null ? PSource.PSpecified.DEFAULT : new PSource.PSpecified(labelOrNull));
    }

    /** k - 2 hLen - 2, where k is the modulus length in bytes. */
    static int maxPlaintext(KeyType type, Scheme scheme) {
        return type.bits() / 8 - 2 * Hash.of(scheme).length() - 2;
    }

    static byte[] encrypt(KeyType type, PublicKey key, Scheme scheme, byte[] plaintext, byte[] labelOrNull,
            SecureRandom random) {
        NonBlocking.check("RSA");
        int max = maxPlaintext(type, scheme);
        if (plaintext.length > max) {
            throw KmsError.invalid("plaintext is " + plaintext.length + " bytes; " + scheme + " with " + type
                    + " takes at most " + max);
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION, Providers.SUN_JCE);
            cipher.init(Cipher.ENCRYPT_MODE, key, spec(scheme, labelOrNull), random);
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw KmsError.internal(scheme + " encryption failed", e);
        }
    }

    static byte[] decrypt(PrivateKey key, Scheme scheme, byte[] ciphertext, SecureRandom random) {
        return decrypt(key, scheme, ciphertext, null, random);
    }

    static byte[] decrypt(PrivateKey key, Scheme scheme, byte[] ciphertext, byte[] labelOrNull, SecureRandom random) {
        NonBlocking.check("RSA");
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION, Providers.SUN_JCE);
            cipher.init(Cipher.DECRYPT_MODE, key, spec(scheme, labelOrNull), random);
            return cipher.doFinal(ciphertext);
        } catch (KmsError e) {
            throw e;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw KmsError.decryptionFailed();
        }
    }
}
