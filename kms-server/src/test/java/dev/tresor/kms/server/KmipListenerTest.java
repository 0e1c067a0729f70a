package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.tresor.kms.server.KmipProbe.item;
import static dev.tresor.kms.server.KmipProbe.message;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvJson;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevBootstrap;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev server's KMIP listener, reached as a KMIP client would: mutual TLS with the files in tresor-data/dev. */
class KmipListenerTest {
    private static final int CREATE = 0x01;
    private static final int ACTIVATE = 0x12;
    private static final int OBTAIN_LEASE = 0x10;
    private static final int DISCOVER_VERSIONS = 0x1E;
    private static final int SYMMETRIC_KEY = 0x02;
    private static final int AES = 0x03;
    private static final int ENCRYPT_DECRYPT = 0x0C;
    private static final int SUCCESS = 0;

    @TempDir
    Path dataDir;
    @TempDir
    Path elsewhere;

    @Test
    void theDevClientCertificateGetsAnAnswerAndAForeignOneNoHandshake() throws Exception {
        TresorServer server = TresorServer.start(ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0")),
                Clock.systemUTC());
        try {
            DevFacts facts = server.devFacts().orElseThrow();
            assertEquals(server.kmipPort().orElseThrow(), facts.kmipPort());

            Ttlv response = discoverVersions(facts, facts.kmipClientCertificate(), facts.kmipClientKey());
            assertEquals(SUCCESS, response.require(Tag.BATCH_ITEM).require(Tag.RESULT_STATUS).asEnum());

            DevFiles foreign = DevFiles.in(elsewhere);
            new DevBootstrap(foreign, Clock.systemUTC()).prepareTls();
            assertThrows(SSLException.class, () -> discoverVersions(facts, foreign.kmipClientCertificate(),
                    foreign.kmipClientKey()));
        } finally {
            server.stop();
        }
    }

    @Test
    void kmipOverHttpsIsOffByDefaultAndAnswersCurlWhenItsPortIsSet() throws Exception {
        TresorServer server = TresorServer.start(ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0",
                "TRESOR_KMIP_HTTPS_PORT", "0")), Clock.systemUTC());
        try {
            DevFacts facts = server.devFacts().orElseThrow();
            Path request = Files.writeString(elsewhere.resolve("request.json"), TtlvJson.write(discoverVersions()));
            Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--fail",
                    "--cacert", facts.caFile().toString(), "--cert", facts.kmipClientCertificate().toString(),
                    "--key", facts.kmipClientKey().toString(), "-H", "Content-Type: application/json",
                    "--data-binary", "@" + request, "https://" + facts.kmipHost() + ":"
                    + server.kmipHttpsPort().getAsInt() + "/kmip").redirectErrorStream(true).start();
            String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, curl.exitValue(), answer);
            Ttlv response = TtlvJson.read(answer, TtlvLimits.DEFAULT);
            assertEquals(SUCCESS, response.require(Tag.BATCH_ITEM).require(Tag.RESULT_STATUS).asEnum());
        } finally {
            server.stop();
        }
        TresorServer plain = TresorServer.start(ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0")),
                Clock.systemUTC());
        try {
            assertTrue(plain.kmipHttpsPort().isEmpty(), "off unless kmip.https.port is set");
        } finally {
            plain.stop();
        }
    }

    @Test
    void theConfiguredLeaseIsWhatObtainLeaseGrants() throws Exception {
        TresorServer server = TresorServer.start(ServerConfig.load(true, Optional.empty(), Map.of(
                "TRESOR_DATA_DIR", dataDir.toString(), "TRESOR_REST_PORT", "0", "TRESOR_KMIP_PORT", "0",
                "TRESOR_KMIP_LEASE_SECONDS", "600")), Clock.systemUTC());
        try {
            DevFacts facts = server.devFacts().orElseThrow();
            Ttlv create = item(CREATE, Ttlv.enumeration(Tag.OBJECT_TYPE, SYMMETRIC_KEY), Ttlv.structure(Tag.ATTRIBUTES,
                    Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, AES), Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256),
                    Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, ENCRYPT_DECRYPT)));
            Ttlv response = call(facts, facts.kmipClientCertificate(), facts.kmipClientKey(),
                    message(2, 1, create, item(ACTIVATE), item(OBTAIN_LEASE)));

            Ttlv lease = response.all(Tag.BATCH_ITEM).get(2);
            assertEquals(SUCCESS, lease.require(Tag.RESULT_STATUS).asEnum());
            assertEquals(600L, lease.require(Tag.RESPONSE_PAYLOAD).require(Tag.LEASE_TIME).value());
        } finally {
            server.stop();
        }
    }

    private static Ttlv discoverVersions() {
        return message(1, 4, item(DISCOVER_VERSIONS));
    }

    private static Ttlv discoverVersions(DevFacts facts, Path certificate, Path key) throws Exception {
        return call(facts, certificate, key, discoverVersions());
    }

    private static Ttlv call(DevFacts facts, Path certificate, Path key, Ttlv request) throws Exception {
        return new KmipProbe(facts.caFile(), certificate, key, facts.kmipHost(), facts.kmipPort()).call(request);
    }
}
