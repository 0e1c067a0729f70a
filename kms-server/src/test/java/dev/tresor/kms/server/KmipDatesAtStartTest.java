package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.KeyUsage;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.service.CreateKey;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.KmsCore;
import dev.tresor.kms.service.Regions;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.KmipLegacy;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import dev.tresor.kms.testing.TestCore;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server gives KMIP keys stored by an older build their dates before REST serves them. */
class KmipDatesAtStartTest {
    @TempDir
    Path dataDir;

    /** What an older build stored for a KMIP key with a Protect Stop Date: the date in its KMIP attributes only. */
    private static Map<String, String> olderKmipAttributes(Instant protectStop) {
        Ttlv stored = Ttlv.structure(Tag.ATTRIBUTES, Ttlv.structure(Tag.ATTRIBUTE,
                Ttlv.text(Tag.ATTRIBUTE_NAME, "Protect Stop Date"), Ttlv.dateTime(Tag.ATTRIBUTE_VALUE, protectStop)));
        return Map.of("kmip/1/0", Base64.getEncoder().encodeToString(TtlvWriter.write(stored)));
    }

    @Test
    void aDevStartGivesAStoredKmipKeyItsDatesBeforeRestServesIt() throws Exception {
        String token;
        URI encrypt;
        try (KmsCore older = KmsCore.open(KmsCore.Options.defaults(dataDir, true))) {
            String projectId = older.administration().createProject(TestCore.OPERATOR, Optional.empty(),
                    OptionalLong.empty(), KmipLegacy.NONE).id();
            token = older.administration().createToken(TestCore.OPERATOR, projectId, Role.ADMIN, "test",
                    Optional.empty()).secret();
            Caller admin = TestCore.caller(new TenantId(projectId, Regions.DEFAULT), Role.ADMIN);
            String ring = older.keyManagement().createKeyRing(admin, new CreateKeyRing("kmip", Optional.empty())).id();
            Key key = older.keyManagement().createKey(admin, CreateKey.typed(ring, "older", KeyType.AES_256,
                    Set.of(KeyUsage.ENCRYPT, KeyUsage.DECRYPT), Optional.of(false),
                    olderKmipAttributes(Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.SECONDS))));
            encrypt = URI.create("/v1/projects/" + projectId + "/regions/eu01/keyrings/" + ring + "/keys/" + key.id()
                    + "/versions/1/encrypt");
        }

        TresorServer server = TresorServer.start(ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0")),
                Clock.systemUTC());
        try {
            HttpsProbe https = new HttpsProbe(server.devFacts().orElseThrow().caFile());
            HttpResponse<String> refused = https.post(URI.create("https://localhost:" + server.restPort())
                    .resolve(encrypt), token, "{\"data\":\"BwcH\"}");
            assertEquals(409, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("past its Protect Stop Date"), refused.body());
        } finally {
            server.stop();
        }
    }
}
