package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * HMAC-SHA256/384/512 against {@code hmac_sha{256,384,512}_test.json}. Tresor compares full-length
 * tags only, so the truncated-tag groups are must-reject; keys shorter than 16 bytes do not load
 * (none in these files, but the check stays). Valid cases must also reproduce the tag. No
 * {@code acceptable} cases.
 */
class HmacWycheproofTest {
    private static final Crypto CRYPTO = new Crypto();

    @Test
    void everyHmacVectorVerifiesExactlyWhenValidAndFullLength() {
        WycheproofVectors.Report report = new WycheproofVectors.Report(false);
        for (String file : WycheproofVectors.files("hmac_")) {
            for (WycheproofVectors.Case c : WycheproofVectors.cases(file)) {
                KeyType type = KeyType.valueOf(file.substring(0, file.indexOf("_test")).toUpperCase(java.util.Locale.ROOT));
                Scheme scheme = Scheme.valueOf(type.name());
                byte[] keyBytes = c.bytes("key");
                if (keyBytes.length < KeyParser.HMAC_MIN_BYTES) {
                    report.mustReject(c, loads(type, keyBytes), "HMAC keys are at least 16 bytes");
                    continue;
                }
                LoadedKey key = CRYPTO.load(type, KeyMaterial.copyOf(keyBytes));
                boolean verified = CRYPTO.verify(key, scheme, c.bytes("msg"), false, c.bytes("tag"));
                if (c.groupInt("tagSize") != type.bits()) {
                    report.mustReject(c, verified, "Tresor compares full-length MAC tags only");
                    continue;
                }
                report.expect(c, verified);
                if (c.valid() && !Arrays.equals(CRYPTO.sign(key, scheme, c.bytes("msg"), false), c.bytes("tag"))) {
                    report.problem(c, "sign gave another tag");
                }
            }
        }
        report.assertClean(500);
    }

    private static boolean loads(KeyType type, byte[] key) {
        try {
            CRYPTO.load(type, KeyMaterial.copyOf(key));
            return true;
        } catch (KmsError e) {
            return false;
        }
    }
}
