package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Server-chosen nonces never repeat (after Tink's testRandomNonce): 2^17 encryptions of one message. */
class RandomNonceTest {
    private static final Crypto CRYPTO = new Crypto();
    private static final int SAMPLES = 1 << 17;

    @Test
    void gcmNoncesAreUnique() {
        LoadedKey key = CRYPTO.load(KeyType.AES_128, CRYPTO.generate(KeyType.AES_128));
        Set<ByteBuffer> nonces = new HashSet<>();
        for (int i = 0; i < SAMPLES; i++) {
            byte[] iv = CRYPTO.encrypt(key, Scheme.AES_GCM, new byte[0], null, null).iv();
            assertTrue(nonces.add(ByteBuffer.wrap(iv)), "nonce repeated after " + i + " encryptions");
        }
    }

    @Test
    void envelopeNoncesAreUnique() {
        LoadedKey key = CRYPTO.load(KeyType.AES_256, CRYPTO.generate(KeyType.AES_256));
        Set<ByteBuffer> nonces = new HashSet<>();
        for (int i = 0; i < SAMPLES; i++) {
            byte[] envelope = CRYPTO.encryptEnvelope(key, 1, new byte[0], null);
            byte[] nonce = Arrays.copyOfRange(envelope, CiphertextEnvelope.NONCE_OFFSET, CiphertextEnvelope.BODY_OFFSET);
            assertTrue(nonces.add(ByteBuffer.wrap(nonce)), "nonce repeated after " + i + " encryptions");
        }
    }
}
