package dev.tresor.kms.key;

import dev.tresor.kms.service.KmsError;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * A key version's material as the JWK (RFC 7517/7518) a release carries: {@code oct} for AES and
 * HMAC, the private {@code RSA} and {@code EC} forms for key pairs. Written into a byte buffer
 * that is wiped, so no String ever holds the secret.
 */
final class KeyJwk {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private KeyJwk() {
    }

    /** {@code material}: raw bytes for symmetric keys, PKCS#8 for key pairs (whose public half is {@code publicKeyPem}). */
    static byte[] of(KeyType type, byte[] material, Optional<String> publicKeyPem) {
        Writer out = new Writer();
        try {
            switch (type.family()) {
                case AES, HMAC, CHACHA20 -> {
                    out.raw("{\"k\":\"");
                    out.b64(material);
                    out.raw("\",\"kty\":\"oct\"}");
                }
                case RSA -> rsa(out, material);
                case EC -> ec(out, type, material, publicKeyPem
                        .orElseThrow(() -> KmsError.internal("EC version lacks its public key", null)));
            }
            return out.toByteArray();
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("stored key material does not parse", e);
        } finally {
            out.wipe();
        }
    }

    private static void rsa(Writer out, byte[] pkcs8) throws GeneralSecurityException {
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        out.raw("{");
        out.member("d", key.getPrivateExponent(), 0);
        out.member("dp", key.getPrimeExponentP(), 0);
        out.member("dq", key.getPrimeExponentQ(), 0);
        out.member("e", key.getPublicExponent(), 0);
        out.raw("\"kty\":\"RSA\",");
        out.member("n", key.getModulus(), 0);
        out.member("p", key.getPrimeP(), 0);
        out.member("q", key.getPrimeQ(), 0);
        out.member("qi", key.getCrtCoefficient(), 0);
        out.end();
    }

    private static void ec(Writer out, KeyType type, byte[] pkcs8, String publicKeyPem) throws GeneralSecurityException {
        KeyFactory factory = KeyFactory.getInstance("EC");
        ECPrivateKey key = (ECPrivateKey) factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        ECPublicKey pub = (ECPublicKey) factory.generatePublic(new X509EncodedKeySpec(PublicKeyPem.toDer(publicKeyPem)));
        int size = (type.bits() + 7) / 8;
        out.raw("{\"crv\":\"P-" + type.bits() + "\",");
        out.member("d", key.getS(), size);
        out.raw("\"kty\":\"EC\",");
        out.member("x", pub.getW().getAffineX(), size);
        out.member("y", pub.getW().getAffineY(), size);
        out.end();
    }

    /** A byte buffer whose contents can be wiped. */
    private static final class Writer extends ByteArrayOutputStream {
        Writer() {
            super(8192); // room for an RSA-4096 JWK, so growing never leaves a copy behind
        }

        void raw(String ascii) {
            writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
        }

        void b64(byte[] value) {
            byte[] encoded = B64.encode(value);
            writeBytes(encoded);
            Arrays.fill(encoded, (byte) 0);
        }

        /** An unsigned big-endian member, left-padded to {@code size} bytes when size is non-zero. */
        void member(String name, BigInteger value, int size) {
            byte[] signed = value.toByteArray();
            int skip = signed.length > 1 && signed[0] == 0 ? 1 : 0;
            int length = Math.max(size, signed.length - skip);
            byte[] unsigned = new byte[length];
            System.arraycopy(signed, skip, unsigned, length - (signed.length - skip), signed.length - skip);
            raw("\"" + name + "\":\"");
            b64(unsigned);
            raw("\",");
            Arrays.fill(signed, (byte) 0);
            Arrays.fill(unsigned, (byte) 0);
        }

        /** Replaces the trailing comma with the closing brace. */
        void end() {
            count--;
            raw("}");
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
        }
    }
}
