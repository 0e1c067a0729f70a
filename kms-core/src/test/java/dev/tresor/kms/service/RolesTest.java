package dev.tresor.kms.service;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tresor.kms.key.Algorithm;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Right;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each role may do exactly what the architecture doc's table gives it, and nothing else. */
class RolesTest {
    @TempDir
    Path dataDir;

    @Test
    void everyRoleCanDoExactlyWhatTheTableAllows() {
        try (TestCore test = TestCore.open(dataDir)) {
            KeyManagement kms = test.core().keyManagement();
            TenantId tenant = test.newProject();
            Caller admin = TestCore.caller(tenant, Role.ADMIN);
            String ring = kms.createKeyRing(admin, new CreateKeyRing("ring", Optional.empty())).id();
            Key key = kms.createKey(admin, CreateKey.rest(ring, "aes", Optional.empty(), Algorithm.AES_256_GCM,
                    "software", Key.AccessScope.PUBLIC, false));
            KeyRef ref = KeyRef.of(ring, key.id());
            Bytes ciphertext = kms.encrypt(admin, EncryptRequest.envelope(ref.version(1), Bytes.of(new byte[] {1}))).data();

            Map<String, Map.Entry<Right, Consumer<Caller>>> calls = new LinkedHashMap<>();
            calls.put("create ring", Map.entry(Right.LIFECYCLE, c -> kms.createKeyRing(c, new CreateKeyRing("r", Optional.empty()))));
            calls.put("rotate", Map.entry(Right.LIFECYCLE, c -> kms.rotateKey(c, ref)));
            calls.put("disable", Map.entry(Right.LIFECYCLE, c -> kms.disableVersion(c, ref.version(1))));
            calls.put("enable", Map.entry(Right.LIFECYCLE, c -> kms.enableVersion(c, ref.version(1))));
            calls.put("encrypt", Map.entry(Right.CRYPTO, c -> kms.encrypt(c, EncryptRequest.envelope(ref.version(1), Bytes.of(new byte[] {1})))));
            calls.put("decrypt", Map.entry(Right.CRYPTO, c -> kms.decrypt(c, DecryptRequest.envelope(ref.version(1), ciphertext))));
            calls.put("list rings", Map.entry(Right.READ_METADATA, kms::listKeyRings));
            calls.put("get key", Map.entry(Right.READ_METADATA, c -> kms.getKey(c, ref)));
            calls.put("list versions", Map.entry(Right.READ_METADATA, c -> kms.listVersions(c, ref)));
            calls.put("metadata export", Map.entry(Right.EXPORT, kms::exportMetadata));
            calls.put("audit export", Map.entry(Right.EXPORT, c -> kms.exportAudit(c, Instant.EPOCH, Instant.now().plusSeconds(86_400 * 400L))));

            List<String> wrong = new ArrayList<>();
            for (Role role : Role.values()) {
                Caller caller = TestCore.caller(tenant, role);
                calls.forEach((name, call) -> {
                    boolean allowed = role.allows(call.getKey());
                    try {
                        call.getValue().accept(caller);
                        if (!allowed) {
                            wrong.add(role.wireName() + " could " + name);
                        }
                    } catch (KmsError e) {
                        if (allowed || e.code() != ErrorCode.PERMISSION_DENIED) {
                            wrong.add(role.wireName() + " " + name + ": " + e.code() + " " + e.getMessage());
                        }
                    }
                });
            }
            if (!wrong.isEmpty()) {
                fail(String.join("\n", wrong));
            }
        }
    }
}
