package dev.tresor.kms.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvJson;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.server.config.ServerConfig;
import dev.tresor.kms.server.dev.DevBootstrap;
import dev.tresor.kms.server.dev.DevFacts;
import dev.tresor.kms.server.dev.DevFiles;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev server's KMIP listener, reached as a KMIP client would: mutual TLS with the files in tresor-data/dev. */
class KmipListenerTest {
    private static final int DISCOVER_VERSIONS = 0x1E;
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

    private static Ttlv discoverVersions() {
        return Ttlv.structure(Tag.REQUEST_MESSAGE,
                Ttlv.structure(Tag.REQUEST_HEADER,
                        Ttlv.structure(Tag.PROTOCOL_VERSION,
                                Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, 1),
                                Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, 4)),
                        Ttlv.integer(Tag.BATCH_COUNT, 1)),
                Ttlv.structure(Tag.BATCH_ITEM,
                        Ttlv.enumeration(Tag.OPERATION, DISCOVER_VERSIONS),
                        Ttlv.structure(Tag.REQUEST_PAYLOAD)));
    }

    private static Ttlv discoverVersions(DevFacts facts, Path certificate, Path key) throws Exception {
        Ttlv request = discoverVersions();
        try (SSLSocket socket = (SSLSocket) tls(facts.caFile(), certificate, key).getSocketFactory()
                .createSocket(facts.kmipHost(), facts.kmipPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(TtlvWriter.write(request));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] header = new byte[TtlvReader.HEADER_BYTES];
            in.readFully(header);
            byte[] message = new byte[TtlvReader.messageLength(header, TtlvLimits.DEFAULT)];
            System.arraycopy(header, 0, message, 0, header.length);
            in.readFully(message, header.length, message.length - header.length);
            return TtlvReader.read(message, TtlvLimits.DEFAULT);
        }
    }

    private static SSLContext tls(Path ca, Path certificate, Path key) throws Exception {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        try (var in = Files.newInputStream(certificate)) {
            identity.setKeyEntry("client", privateKey(key), new char[0],
                    new Certificate[] {x509.generateCertificate(in)});
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", x509.generateCertificate(in));
        }
        TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusted.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), trusted.getTrustManagers(), null);
        return context;
    }

    private static PrivateKey privateKey(Path pem) throws IOException {
        try (Reader reader = Files.newBufferedReader(pem); PEMParser parser = new PEMParser(reader)) {
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
    }
}
