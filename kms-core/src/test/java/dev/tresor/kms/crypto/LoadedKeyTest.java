package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.ErrorCode;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LoadedKeyTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void toStringNeverShowsMaterial() {
        byte[] raw = CRYPTO.randomBytes(32);
        LoadedKey key = CRYPTO.load(KeyType.AES_256, KeyMaterial.copyOf(raw));
        assertEquals("LoadedKey[AES_256]", key.toString());
        assertFalse(key.secretKey().toString().contains(HexFormat.of().formatHex(raw)));
        LoadedKey ec = CRYPTO.load(KeyType.EC_P256, CRYPTO.generate(KeyType.EC_P256));
        assertEquals("LoadedKey[EC_P256, public only]",
                LoadedKey.publicOnly(KeyType.EC_P256, ec.publicKeyDer().orElseThrow()).toString());
    }

    @Test
    void publicKeyPemIsTheSpkiDer() {
        LoadedKey rsa = CRYPTO.load(KeyType.RSA_2048, CRYPTO.generate(KeyType.RSA_2048));
        String pem = rsa.publicKeyPem().orElseThrow();
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n") && pem.endsWith("\n-----END PUBLIC KEY-----\n"));
        String body = pem.substring(pem.indexOf('\n') + 1, pem.indexOf("-----END"));
        assertTrue(body.lines().allMatch(line -> line.length() <= 64));
        assertArrayEquals(rsa.publicKeyDer().orElseThrow(), Base64.getMimeDecoder().decode(body));
        LoadedKey imported = LoadedKey.publicOnly(KeyType.RSA_2048, rsa.publicKeyDer().orElseThrow());
        assertFalse(imported.hasPrivate());
        assertEquals(pem, imported.publicKeyPem().orElseThrow());
    }

    @Test
    void symmetricKeysHaveNoPublicHalf() {
        LoadedKey hmac = CRYPTO.load(KeyType.HMAC_SHA256, CRYPTO.generate(KeyType.HMAC_SHA256));
        assertTrue(hmac.hasPrivate());
        assertTrue(hmac.publicKeyDer().isEmpty());
        assertTrue(hmac.publicKeyPem().isEmpty());
    }

    @Test
    void aDestroyedKeyIsZeroedAndRefusesWork() {
        LoadedKey key = CRYPTO.load(KeyType.AES_256, CRYPTO.generate(KeyType.AES_256));
        SecretKeyHandle secret = (SecretKeyHandle) key.secretKey();
        key.destroy();
        assertTrue(key.isDestroyed());
        assertTrue(secret.isDestroyed());
        KmsError e = assertThrows(KmsError.class, () -> CRYPTO.encrypt(key, Scheme.AES_GCM, new byte[1], null, null));
        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
        assertThrows(KmsError.class, secret::getEncoded, "an operation racing the destroy sees no zeroed key");
    }

    @Test
    void encryptionsRacingADestroyNeverUseAZeroedKey() throws Exception {
        KeyMaterial material = CRYPTO.generate(KeyType.AES_256);
        LoadedKey shared = CRYPTO.load(KeyType.AES_256, material);
        LoadedKey check = CRYPTO.load(KeyType.AES_256, material);
        CountDownLatch warmedUp = new CountDownLatch(4 * 200);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<byte[]>>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            results.add(pool.submit(() -> {
                List<byte[]> envelopes = new ArrayList<>();
                while (true) {
                    try {
                        envelopes.add(CRYPTO.encryptEnvelope(shared, 1, new byte[64], null));
                        warmedUp.countDown();
                    } catch (KmsError e) {
                        assertEquals(ErrorCode.FAILED_PRECONDITION, e.code());
                        return envelopes;
                    }
                }
            }));
        }
        warmedUp.await();
        shared.destroy();
        int total = 0;
        for (Future<List<byte[]>> result : results) {
            for (byte[] envelope : result.get()) {
                assertArrayEquals(new byte[64], CRYPTO.decryptEnvelope(check, CiphertextEnvelope.decode(envelope), null));
                total++;
            }
        }
        pool.shutdown();
        assertTrue(total >= 800);
    }
}
