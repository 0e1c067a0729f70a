package dev.tresor.kms.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.MGF1BytesGenerator;
import org.bouncycastle.crypto.params.MGFParameters;

/**
 * RSASSA-PSS verification (RFC 8017 section 9.1.2, MGF1 over the message hash, trailer 0xBC) that
 * reads the salt length from the encoded message instead of assuming one. Signers differ: Tresor
 * and OpenSSL use the hash length, PyKMIP and the OASIS test cases the maximum; every length is
 * equally sound for verification, because the salt is covered by the hash that is checked. A key
 * pinned to an RSA-PSS algorithm promises the hash length, so {@link PssSalt#HASH_LENGTH} holds it
 * to that.
 */
final class PssVerifier {
    private static final byte TRAILER = (byte) 0xBC;

    private PssVerifier() {
    }

    static boolean verify(RSAPublicKey key, Hash hash, byte[] messageHash, byte[] signature, PssSalt salt) {
        BigInteger n = key.getModulus();
        int modBits = n.bitLength();
        if (signature.length != (modBits + 7) / 8) {
            return false;
        }
        BigInteger s = new BigInteger(1, signature);
        if (s.compareTo(n) >= 0) {
            return false;
        }
        int emBits = modBits - 1;
        int emLen = (emBits + 7) / 8;
        BigInteger m = s.modPow(key.getPublicExponent(), n);
        int hLen = hash.length();
        if (m.bitLength() > emBits || emLen < hLen + 2) {
            return false;
        }
        byte[] em = fixedLength(m, emLen);
        if (em[emLen - 1] != TRAILER) {
            return false;
        }
        int dbLen = emLen - hLen - 1;
        byte[] h = Arrays.copyOfRange(em, dbLen, dbLen + hLen);
        byte[] db = new byte[dbLen];
        MGF1BytesGenerator mgf1 = new MGF1BytesGenerator(hash.newBcDigest());
        mgf1.init(new MGFParameters(h));
        mgf1.generateBytes(db, 0, dbLen);
        for (int i = 0; i < dbLen; i++) {
            db[i] ^= em[i];
        }
        db[0] &= (byte) (0xFF >>> (8 * emLen - emBits));
        int separator = 0;
        while (separator < dbLen && db[separator] == 0) {
            separator++;
        }
        if (separator == dbLen || db[separator] != 1) {
            return false;
        }
        if (salt == PssSalt.HASH_LENGTH && dbLen - separator - 1 != hLen) {
            return false;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance(hash.jcaName(), Providers.SUN);
            digest.update(new byte[8]);
            digest.update(messageHash);
            digest.update(db, separator + 1, dbLen - separator - 1);
            return MessageDigest.isEqual(digest.digest(), h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(hash.jcaName() + " is missing", e);
        }
    }

    private static byte[] fixedLength(BigInteger value, int length) {
        byte[] minimal = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(minimal.length, length);
        System.arraycopy(minimal, minimal.length - copy, out, length - copy, copy);
        return out;
    }
}
