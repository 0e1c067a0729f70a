package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ECDSA with DER signatures against {@code ecdsa_secp{256,384,521}r1_sha{256,384,512}_test.json},
 * on the message path and the prehashed path (which must agree). Every case is in scope: each
 * file's curve and hash pair is one of Tresor's key types and schemes. No {@code acceptable} cases.
 */
class EcdsaWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void everyEcdsaVectorVerifiesExactlyWhenValid() {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        Map<Object, LoadedKey> keys = new IdentityHashMap<>();
        for (String file : WycheproofVectors.files("ecdsa_")) {
            for (WycheproofVectors.Case c : WycheproofVectors.cases(file)) {
                KeyType type = curve(c.group().get("publicKey").get("curve").asText());
                Scheme scheme = WycheproofVectors.scheme("ECDSA_", c.groupText("sha"));
                LoadedKey key = keys.computeIfAbsent(c.group(), g -> LoadedKey.publicOnly(type, c.groupBytes("publicKeyDer")));
                report.expect(c, SignatureVectors.verifies(CRYPTO, key, scheme, c, report));
            }
        }
        report.assertClean(1530);
    }

    private static KeyType curve(String name) {
        return switch (name) {
            case "secp256r1" -> KeyType.EC_P256;
            case "secp384r1" -> KeyType.EC_P384;
            case "secp521r1" -> KeyType.EC_P521;
            default -> throw new AssertionError("unexpected curve " + name);
        };
    }
}
