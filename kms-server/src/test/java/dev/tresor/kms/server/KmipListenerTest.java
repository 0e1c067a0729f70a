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
import java.util.ArrayList;
import java.util.List;
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

    private static Ttlv item(int operation, Ttlv... payload) {
        return Ttlv.structure(Tag.BATCH_ITEM, Ttlv.enumeration(Tag.OPERATION, operation),
                Ttlv.structure(Tag.REQUEST_PAYLOAD, payload));
    }

    private static Ttlv message(int major, int minor, Ttlv... items) {
        List<Ttlv> fields = new ArrayList<>(List.of(Ttlv.structure(Tag.REQUEST_HEADER,
                Ttlv.structure(Tag.PROTOCOL_VERSION,
                        Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, major),
                        Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, minor)),
                Ttlv.integer(Tag.BATCH_COUNT, items.length))));
        fields.addAll(List.of(items));
        return Ttlv.structure(Tag.REQUEST_MESSAGE, fields);
    }

    private static Ttlv discoverVersions() {
        return message(1, 4, item(DISCOVER_VERSIONS));
    }

    private static Ttlv discoverVersions(DevFacts facts, Path certificate, Path key) throws Exception {
        return call(facts, certificate, key, discoverVersions());
    }

    private static Ttlv call(DevFacts facts, Path certificate, Path key, Ttlv request) throws Exception {
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
