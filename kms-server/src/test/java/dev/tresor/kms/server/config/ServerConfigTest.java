package dev.tresor.kms.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.seal.SealType;
import dev.tresor.kms.server.UsageError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void devDefaultsFollowTheStartUpSection() {
        ServerConfig config = ServerConfig.load(true, Optional.empty(), Map.of());

        assertEquals(Path.of("./tresor-data"), config.dataDir());
        assertEquals(8443, config.restPort());
        assertEquals(5696, config.kmipPort());
        assertEquals("127.0.0.1", config.listenHost());
        assertEquals(SealType.DEV, config.sealType());
        assertEquals(10_000, config.callsPerHour());
        assertTrue(config.restTls().isEmpty());
        assertTrue(config.allowSimulatedAttestation());
    }

    @Test
    void environmentOverridesFileAndFileOverridesDefaults() throws IOException {
        Path file = write("tresor.properties", """
                rest.port = 9443
                kmip.port = 6696
                limit.calls.per.hour = 500
                data.dir = /from/file
                """);

        ServerConfig config = ServerConfig.load(true, Optional.of(file),
                Map.of("TRESOR_REST_PORT", "10443", "TRESOR_DATA_DIR", "/from/env", "UNRELATED", "x"));

        assertEquals(10443, config.restPort());
        assertEquals(Path.of("/from/env"), config.dataDir());
        assertEquals(6696, config.kmipPort());
        assertEquals(500, config.callsPerHour());
    }

    @Test
    void everySettingHasItsEnvironmentVariable() {
        ServerConfig config = ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_LISTEN_HOST", "0.0.0.0",
                "TRESOR_KMIP_PORT", "0",
                "TRESOR_LIMIT_BODY_BYTES", "200000",
                "TRESOR_ATTESTATION_ALLOWSIMULATED", "false"));

        assertEquals("0.0.0.0", config.listenHost());
        assertEquals(0, config.kmipPort());
        assertEquals(200_000, config.bodyLimitBytes());
        assertFalse(config.allowSimulatedAttestation());
    }

    @Test
    void theKbsDefaultProjectIsAProjectId() {
        assertTrue(ServerConfig.load(true, Optional.empty(), Map.of()).kbsDefaultProject().isEmpty());
        assertEquals(Optional.of("0a6f3c1e-2d4b-4c8a-9e7f-1b2c3d4e5f60"), ServerConfig.load(true, Optional.empty(),
                Map.of("TRESOR_KBS_DEFAULT_PROJECT", "0A6F3C1E-2D4B-4C8A-9E7F-1B2C3D4E5F60")).kbsDefaultProject());
        UsageError bad = assertThrows(UsageError.class, () -> ServerConfig.load(true, Optional.empty(),
                Map.of("TRESOR_KBS_DEFAULT_PROJECT", "default")));
        assertTrue(bad.getMessage().contains("kbs.default.project: 'default' is not a project id"), bad.getMessage());
    }

    @Test
    void productionNeedsTlsFilesAndUsesTheShamirSeal() throws IOException {
        UsageError missing = assertThrows(UsageError.class,
                () -> ServerConfig.load(false, Optional.empty(), Map.of()));
        assertTrue(missing.getMessage().contains("rest.tls.cert"), missing.getMessage());

        Path cert = write("rest.pem", "cert");
        Path key = write("rest.key", "key");
        ServerConfig config = ServerConfig.load(false, Optional.empty(),
                Map.of("TRESOR_REST_TLS_CERT", cert.toString(), "TRESOR_REST_TLS_KEY", key.toString()));

        assertEquals(SealType.SHAMIR, config.sealType());
        assertEquals("0.0.0.0", config.listenHost());
        assertEquals(Optional.of(new TlsFiles(cert, key)), config.kmipTls(), "KMIP falls back to the REST files");
    }

    @Test
    void errorsNameTheSettingAndWhereItsValueCameFrom() throws IOException {
        Path file = write("bad.properties", "rest.port = https\n");

        UsageError fromFile = assertThrows(UsageError.class,
                () -> ServerConfig.load(true, Optional.of(file), Map.of()));
        UsageError fromEnv = assertThrows(UsageError.class,
                () -> ServerConfig.load(true, Optional.empty(), Map.of("TRESOR_KMIP_PORT", "70000")));

        assertEquals("rest.port: 'https' is not a number (config file " + file + ")", fromFile.getMessage());
        assertEquals("kmip.port: 70000 is outside 0..65535 (environment variable TRESOR_KMIP_PORT)",
                fromEnv.getMessage());
    }

    @Test
    void refusesUnknownKeysMismatchedTlsPairsAndAShamirDevServer() throws IOException {
        Path typo = write("typo.properties", "rest.prot = 9443\n");
        Path cert = write("only.pem", "cert");

        assertThrows(UsageError.class, () -> ServerConfig.load(true, Optional.of(typo), Map.of()));
        assertThrows(UsageError.class, () -> ServerConfig.load(true, Optional.empty(),
                Map.of("TRESOR_REST_TLS_CERT", cert.toString())));
        assertThrows(UsageError.class, () -> ServerConfig.load(true, Optional.empty(),
                Map.of("TRESOR_SEAL_TYPE", "shamir")));
        assertThrows(UsageError.class, () -> ServerConfig.load(true, Optional.empty(),
                Map.of("TRESOR_LIMIT_BODY_BYTES", "1024")));
        assertThrows(UsageError.class, () -> ServerConfig.load(true, Optional.of(dir.resolve("absent")), Map.of()));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
