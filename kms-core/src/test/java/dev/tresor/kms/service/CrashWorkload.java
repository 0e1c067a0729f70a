package dev.tresor.kms.service;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The child process of {@link CrashSafetyTest}: creates and rotates keys in a loop and prints a
 * line for every acknowledged operation — {@code ACK <keyId> <version> <base64 ciphertext>} — until
 * it is killed. Arguments: data dir, project id, key ring id.
 */
public final class CrashWorkload {
    private CrashWorkload() {
    }

    public static void main(String[] args) {
        Path dataDir = Path.of(args[0]);
        Caller admin = TestCore.caller(new TenantId(args[1], "eu01"), Role.ADMIN);
        String ring = args[2];
        KmsCore.Options options = new KmsCore.Options(Optional.of(dataDir), true, Clock.systemUTC(),
                Duration.ofDays(30), Duration.ofHours(24), 1000, Optional.empty());
        KmsCore core = KmsCore.open(options);
        KeyManagement kms = core.keyManagement();
        for (int i = 0; ; i++) {
            Key key = kms.createKey(admin, CreateKey.rest(ring, "k" + i, Optional.empty(),
                    dev.tresor.kms.key.Algorithm.AES_256_GCM, "software", Key.AccessScope.PUBLIC, false));
            acknowledge(kms, admin, KeyRef.of(ring, key.id()), 1);
            KeyVersion rotated = kms.rotateKey(admin, KeyRef.of(ring, key.id()));
            acknowledge(kms, admin, KeyRef.of(ring, key.id()), rotated.number());
        }
    }

    static Bytes plaintextFor(String keyId, long version) {
        return Bytes.of((keyId + "#" + version).getBytes(StandardCharsets.UTF_8));
    }

    private static void acknowledge(KeyManagement kms, Caller admin, KeyRef key, long version) {
        Bytes ciphertext = kms.encrypt(admin, EncryptRequest.envelope(key.version(version),
                plaintextFor(key.keyId(), version))).data();
        System.out.println("ACK " + key.keyId() + " " + version + " " + ciphertext.toBase64());
        System.out.flush();
    }
}
