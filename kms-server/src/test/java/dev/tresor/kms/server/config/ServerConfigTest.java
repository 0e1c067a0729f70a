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
import java.time.Duration;
import java.util.List;
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
        assertTrue(config.kmipHttpsPort().isEmpty(), "KMIP over HTTPS is off unless kmip.https.port is set");
    }

    @Test
    void kmipOverHttpsHasItsOwnPort() {
        assertEquals(5697, ServerConfig.load(true, Optional.empty(), Map.of("TRESOR_KMIP_HTTPS_PORT", "5697"))
                .kmipHttpsPort().getAsInt());
        UsageError error = assertThrows(UsageError.class,
                () -> ServerConfig.load(true, Optional.empty(), Map.of("TRESOR_KMIP_HTTPS_PORT", "70000")));
        assertTrue(error.getMessage().contains("kmip.https.port"), error.getMessage());
    }

    @Test
    void theKmipLeaseIsAnHourUnlessSetAndAWholeNumberOfSecondsFromOne() {
        assertEquals(Duration.ofHours(1), ServerConfig.load(true, Optional.empty(), Map.of()).kmipLease().time());
        assertEquals(Duration.ofSeconds(600), ServerConfig.load(true, Optional.empty(),
                Map.of("TRESOR_KMIP_LEASE_SECONDS", "600")).kmipLease().time());
        for (String bad : List.of("0", "-5", "2147483648", "1h")) {
            UsageError error = assertThrows(UsageError.class,
                    () -> ServerConfig.load(true, Optional.empty(), Map.of("TRESOR_KMIP_LEASE_SECONDS", bad)));
            assertTrue(error.getMessage().contains("kmip.lease.seconds"), error.getMessage());
        }
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
    void attestationFilesAreReadAtLoadAndEveryProblemNamesItsSetting() throws IOException {
        Path samples = dev.tresor.kms.attest.TestData.root();
        ServerConfig config = ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_ATTESTATION_TDX_COLLATERAL", samples.resolve("tdx/collateral").toString(),
                "TRESOR_ATTESTATION_AMD_CERTIFICATES", samples.resolve("snp/roots/milan_ask_ark.pem") + ","
                        + samples.resolve("snp/roots/genoa_ask_ark.pem"),
                "TRESOR_ATTESTATION_AMD_VCEK_DIR", samples.resolve("snp/milan-trustee").toString(),
                "TRESOR_ATTESTATION_AMD_ARK_PINS", "turin=" + "ab".repeat(32)));
        assertEquals(4, config.attestation().collateral().size(), "the four complete sets of the folder");
        assertEquals(5, config.attestation().trust().amdCertificates().size(), "two ASK+ARK pairs and a VCEK");
        assertEquals("ab".repeat(32), config.attestation().trust().arkFingerprints()
                .get(dev.tresor.kms.attest.SnpProduct.TURIN));

        Map<String, String> refusals = Map.of(
                "TRESOR_ATTESTATION_AMD_ARK_PINS", "sparc=00",
                "TRESOR_ATTESTATION_TDX_COLLATERAL", samples.resolve("tdx/collateral/pcs-2026-02-fmspc90c06f-gotdx").toString(),
                "TRESOR_ATTESTATION_TOKEN_ISSUERS", write("issuers.json", "{\"issuers\":[{\"id\":\"x\"}]}").toString(),
                "TRESOR_ATTESTATION_INTEL_CERTIFICATES", dir.resolve("missing.pem").toString(),
                "TRESOR_ATTESTATION_TDX_CRLS", samples.resolve("tdx/roots/intel_sgx_root_ca.pem").toString());
        refusals.forEach((variable, value) -> {
            UsageError refused = assertThrows(UsageError.class,
                    () -> ServerConfig.load(true, Optional.empty(), Map.of(variable, value)), variable);
            String key = variable.substring("TRESOR_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
            assertTrue(refused.getMessage().toLowerCase(java.util.Locale.ROOT).startsWith(key), refused.getMessage());
            assertTrue(refused.getMessage().contains("environment variable " + variable), refused.getMessage());
        });
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
