package dev.tresor.kms.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RSA-OAEP decryption against every {@code rsa_oaep_*} file. Tresor's schemes fix the OAEP and
 * MGF1 hashes to SHA-1/256/384/512 (each scheme names both) and the label to empty. So:
 * <ul>
 * <li>OAEP or MGF1 hashes SHA-224, SHA-512/224 and SHA-512/256 are out of scope (no scheme exists);
 * <li>a non-empty label, or a modulus that is not 2048/3072/4096 bits (the key does not load)
 *     make every case must-reject;
 * <li>the rest must decrypt exactly when Wycheproof says valid, and valid plaintexts also round
 *     trip through {@link Crypto#encrypt} with the public key only.
 * </ul>
 * Policy for {@code acceptable} cases: rejected.
 */
class RsaOaepWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void everyOaepVectorIsDecryptedOrRejectedAsTresorPromises() {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        Map<Object, LoadedKey> keys = new IdentityHashMap<>();
        for (String file : WycheproofVectors.files("rsa_oaep_")) {
            for (WycheproofVectors.Case c : WycheproofVectors.cases(file)) {
                String sha = c.groupText("sha");
                Scheme scheme = Arrays.stream(Scheme.values()).filter(s -> s.name().startsWith("RSA_OAEP_")
                        && sha.equals(s.hash()) && c.groupText("mgfSha").equals(s.mgf1Hash())).findFirst().orElse(null);
                if (scheme == null) {
                    report.outOfScope(c, "no RSA-OAEP scheme with " + sha + " and MGF1 " + c.groupText("mgfSha"));
                    continue;
                }
                KeyType type = WycheproofVectors.rsaType(c.groupInt("keySize"));
                if (type == null) {
                    report.mustReject(c, loads(KeyType.RSA_2048, c), "Tresor has no RSA-" + c.groupInt("keySize") + " key type");
                    continue;
                }
                LoadedKey key = keys.computeIfAbsent(c.group(),
                        g -> CRYPTO.load(type, KeyMaterial.copyOf(c.groupBytes("privateKeyPkcs8"))));
                boolean decrypted = decrypts(key, scheme, c);
                if (c.bytes("label").length > 0) {
                    report.mustReject(c, decrypted, "Tresor's OAEP label is always empty");
                } else {
                    report.expect(c, decrypted);
                    if (c.valid() && !roundTrips(key, scheme, c.bytes("msg"))) {
                        report.problem(c, "encrypt with the public key did not round trip");
                    }
                }
            }
        }
        report.assertClean(400);
    }

    private static boolean loads(KeyType type, WycheproofVectors.Case c) {
        try {
            CRYPTO.load(type, KeyMaterial.copyOf(c.groupBytes("privateKeyPkcs8")));
            return true;
        } catch (KmsError e) {
            return false;
        }
    }

    private static boolean decrypts(LoadedKey key, Scheme scheme, WycheproofVectors.Case c) {
        try {
            return Arrays.equals(CRYPTO.decrypt(key, scheme, null, c.bytes("ct"), null, null), c.bytes("msg"));
        } catch (KmsError e) {
            assertEquals("decryption failed", e.getMessage(), c + ": not the generic decryption error");
            return false;
        }
    }

    private static boolean roundTrips(LoadedKey key, Scheme scheme, byte[] msg) {
        LoadedKey publicKey = LoadedKey.publicOnly(key.type(), key.publicKeyDer().orElseThrow());
        byte[] ct = CRYPTO.encrypt(publicKey, scheme, msg, null, null).ciphertext();
        return Arrays.equals(CRYPTO.decrypt(key, scheme, null, ct, null, null), msg);
    }
}
