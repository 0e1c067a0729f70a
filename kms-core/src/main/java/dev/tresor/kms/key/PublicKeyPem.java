package dev.tresor.kms.key;

import dev.tresor.kms.service.KmsError;
import java.util.Base64;

/** PEM "PUBLIC KEY" (SubjectPublicKeyInfo) text to DER bytes. */
final class PublicKeyPem {
    private PublicKeyPem() {
    }

    static byte[] toDer(String pem) {
        String body = pem.replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw KmsError.internal("stored public key is not PEM", e);
        }
    }
}
