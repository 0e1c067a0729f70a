package dev.tresor.kms.attest.jwe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tresor.kms.attest.Jwk;
import dev.tresor.kms.service.KmsError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts released material to a workload's key as a JWE (RFC 7516/7518): {@code RSA-OAEP-256}
 * (MGF1-SHA-256 set explicitly) for RSA keys of at least 2048 bits, {@code ECDH-ES+A256KW}
 * (Concat KDF SHA-256, empty apu/apv, AES key wrap) for P-256/384/521; content always
 * {@code A256GCM} with a 96-bit IV and the protected header's base64url as AAD. The header is
 * compact JSON with {@code alg} and {@code enc} first and the other members sorted, which is the
 * form KBS guest components re-serialise to check the AAD.
 */
public final class JweEncrypter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Set<String> RESERVED = Set.of("alg", "enc", "epk", "kid", "zip", "crit");
    private static final String ECDH_ALG = "ECDH-ES+A256KW";

    private final SecureRandom random;

    public JweEncrypter(SecureRandom random) {
        this.random = Objects.requireNonNull(random);
    }

    /**
     * @param headers further protected-header members ({@code cty}, {@code tresor_key}); the
     *                algorithm members are set here and may not be given
     */
    public Jwe encrypt(PublicKey recipient, byte[] payload, Map<String, String> headers) {
        for (String name : headers.keySet()) {
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("JWE header member " + name + " is set by the encrypter");
            }
        }
        byte[] cek = new byte[32];
        random.nextBytes(cek);
        try {
            TreeMap<String, Object> members = new TreeMap<>(headers);
            members.put("kid", Jwk.thumbprint(recipient));
            byte[] encryptedKey;
            String alg;
            if (recipient instanceof RSAPublicKey rsa) {
                if (rsa.getModulus().bitLength() < 2048) {
                    throw KmsError.invalid("workload RSA key must have at least 2048 bits");
                }
                alg = "RSA-OAEP-256";
                encryptedKey = rsaOaep(rsa, cek);
            } else if (recipient instanceof ECPublicKey ec) {
                alg = ECDH_ALG;
                encryptedKey = ecdhKeyWrap(ec, cek, members);
            } else {
                throw KmsError.invalid("workload key must be RSA or EC");
            }
            String protectedHeader = B64.encodeToString(header(alg, members));
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, iv));
            gcm.updateAAD(protectedHeader.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = gcm.doFinal(payload);
            int split = sealed.length - 16;
            return new Jwe(protectedHeader, B64.encodeToString(encryptedKey), B64.encodeToString(iv),
                    B64.encodeToString(Arrays.copyOf(sealed, split)),
                    B64.encodeToString(Arrays.copyOfRange(sealed, split, sealed.length)));
        } catch (GeneralSecurityException e) {
            throw KmsError.internal("JWE encryption failed", e);
        } finally {
            Arrays.fill(cek, (byte) 0);
        }
    }

    private static byte[] header(String alg, TreeMap<String, Object> members) {
        ObjectNode header = JSON.createObjectNode().put("alg", alg).put("enc", "A256GCM");
        members.forEach((name, value) -> header.set(name, JSON.valueToTree(value)));
        try {
            return JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] rsaOaep(RSAPublicKey recipient, byte[] cek) throws GeneralSecurityException {
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.ENCRYPT_MODE, recipient, new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        return oaep.doFinal(cek);
    }

    private byte[] ecdhKeyWrap(ECPublicKey recipient, byte[] cek, TreeMap<String, Object> members)
            throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(recipient.getParams(), random);
        KeyPair ephemeral = generator.generateKeyPair();
        members.put("epk", new TreeMap<>(Jwk.members(ephemeral.getPublic())));
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(ephemeral.getPrivate());
        agreement.doPhase(recipient, true);
        byte[] z = agreement.generateSecret();
        byte[] kek = concatKdf(z);
        try {
            Cipher wrap = Cipher.getInstance("AESWrap");
            wrap.init(Cipher.WRAP_MODE, new SecretKeySpec(kek, "AES"));
            return wrap.wrap(new SecretKeySpec(cek, "AES"));
        } finally {
            Arrays.fill(z, (byte) 0);
            Arrays.fill(kek, (byte) 0);
        }
    }

    /** RFC 7518 §4.6.2: one SHA-256 round over counter ‖ Z ‖ AlgorithmID ‖ apu ‖ apv ‖ keydatalen. */
    private static byte[] concatKdf(byte[] z) throws GeneralSecurityException {
        byte[] algorithm = ECDH_ALG.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer otherInfo = ByteBuffer.allocate(4 + algorithm.length + 4 + 4 + 4)
                .putInt(algorithm.length).put(algorithm).putInt(0).putInt(0).putInt(256);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(new byte[] {0, 0, 0, 1});
        sha256.update(z);
        sha256.update(otherInfo.array());
        return sha256.digest();
    }
}
