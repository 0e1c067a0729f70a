package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.crypto.CiphertextEnvelope;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** What a workload does with a released AES key: opens a ciphertext the server made (version 1) by hand. */
public final class ReleasedKeys {
    private ReleasedKeys() {
    }

    public static byte[] decrypt(JsonObject jwk, String ciphertext) throws GeneralSecurityException {
        assertEquals("oct", jwk.getString("kty"));
        CiphertextEnvelope.Parsed envelope = CiphertextEnvelope.decode(Base64.getDecoder().decode(ciphertext));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Base64.getUrlDecoder().decode(jwk.getString("k")), "AES"),
                new GCMParameterSpec(128, envelope.nonce()));
        gcm.updateAAD(CiphertextEnvelope.header(1));
        return gcm.doFinal(envelope.ciphertextAndTag());
    }
}
