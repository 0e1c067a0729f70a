package dev.tresor.kms.pkcs11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.kmip.message.Operation;
import dev.tresor.kms.kmip.ttlv.Tag;
import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.service.Bytes;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Tresor server ({@code serve --dev}) in a child JVM, started from the test class path in
 * its own directory, on a fixed free KMIP port so that a restart keeps the library's
 * configuration valid. Its pkcs11.conf is copied to where the library reads it.
 */
final class TresorDevServer implements AutoCloseable {
    private static final long START_SECONDS = 120;

    private final Path directory;
    private final int kmipPort;
    private final long callsPerHour;
    private Process process;

    private TresorDevServer(Path directory, int kmipPort, long callsPerHour) {
        this.directory = directory;
        this.kmipPort = kmipPort;
        this.callsPerHour = callsPerHour;
    }

    /** Starts a server whose new project may make {@code callsPerHour} calls an hour. */
    static TresorDevServer start(Path directory, long callsPerHour) {
        TresorDevServer server = new TresorDevServer(directory, LibraryUnderTest.freePort(), callsPerHour);
        server.launch();
        return server;
    }

    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    JsonNode devFacts() {
        try {
            return new ObjectMapper().readTree(directory.resolve("tresor-data/dev/dev.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call of the server's REST API as the dev admin; returns the JSON answer. */
    JsonNode rest(String method, String path, String body) {
        JsonNode facts = devFacts();
        String base = facts.get("restUrl").asText() + "/v1/projects/" + facts.get("projectId").asText()
                + "/regions/" + facts.get("regionId").asText();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + facts.get("adminToken").asText())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HttpClient.newBuilder().sslContext(trusting(facts)).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " "
                        + response.body());
            }
            return response.body().isEmpty() ? null : new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.tresor.kms.server.Main", "serve", "--dev"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("TRESOR_REST_PORT", "0");
        environment.put("TRESOR_KMIP_PORT", Integer.toString(kmipPort));
        environment.put("TRESOR_LIMIT_CALLS_PER_HOUR", Long.toString(callsPerHour));
        try {
            Files.createDirectories(directory);
            process = builder.start();
            awaitReady();
            Files.createDirectories(LibraryUnderTest.configuration().getParent());
            Files.copy(directory.resolve("tresor-data/dev/pkcs11.conf"), LibraryUnderTest.configuration(),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies the server's output to server.log on a reader thread and waits, bounded, until the
     * server says it is ready; a server that dies or hangs during start-up fails the test.
     */
    private void awaitReady() {
        Path log = directory.resolve("server.log");
        CompletableFuture<Void> ready = new CompletableFuture<>();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = output.readLine()) != null) {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    if (line.equals("tresor: ready")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("the server's output ended"));
        }, "tresor-server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            stop();
            throw new IllegalStateException("the Tresor server did not start; see " + log, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext trusting(JsonNode facts) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(facts), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TrustManager[] trustManagers(JsonNode facts) {
        try (var in = Files.newInputStream(Path.of(facts.get("caFile").asText()))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            return factory.getTrustManagers();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * KMIP ReKey of one object (PKCS#11 has no call that rotates a key); returns the new version's
     * UID.
     */
    String kmipReKey(String uid) {
        return kmip(Operation.REKEY, Ttlv.text(Tag.UNIQUE_IDENTIFIER, uid)).require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    /**
     * KMIP Register of an Active AES-256 key named {@code label} for Encrypt and Decrypt (PKCS#11
     * has no call that brings in key material as a token key); returns its UID.
     */
    String kmipRegisterAes256(String label, byte[] material) {
        return kmip(Operation.REGISTER, Ttlv.enumeration(Tag.OBJECT_TYPE, 0x02),
                Ttlv.structure(Tag.ATTRIBUTES, Ttlv.integer(Tag.CRYPTOGRAPHIC_USAGE_MASK, 0x0C),
                        Ttlv.structure(Tag.NAME, Ttlv.text(Tag.NAME_VALUE, label), Ttlv.enumeration(Tag.NAME_TYPE, 1)),
                        Ttlv.dateTime(Tag.ACTIVATION_DATE, Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60))),
                Ttlv.structure(Tag.SYMMETRIC_KEY, Ttlv.structure(Tag.KEY_BLOCK,
                        Ttlv.enumeration(Tag.KEY_FORMAT_TYPE, 1),
                        Ttlv.structure(Tag.KEY_VALUE, Ttlv.bytes(Tag.KEY_MATERIAL, Bytes.of(material))),
                        Ttlv.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM, 0x03),
                        Ttlv.integer(Tag.CRYPTOGRAPHIC_LENGTH, 256))))
                .require(Tag.UNIQUE_IDENTIFIER).asText();
    }

    /** One KMIP 2.1 request of one batch item over mTLS with the dev client certificate; returns its payload. */
    private Ttlv kmip(Operation operation, Ttlv... payload) {
        JsonNode facts = devFacts();
        try (var certificateFile = Files.newInputStream(Path.of(facts.get("kmipClientCert").asText()))) {
            Certificate certificate = CertificateFactory.getInstance("X.509").generateCertificate(certificateFile);
            String pem = Files.readString(Path.of(facts.get("kmipClientKey").asText()));
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            identity.setKeyEntry("client", KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)),
                    new char[0], new Certificate[] {certificate});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trustManagers(facts), null);
            Ttlv request = Ttlv.structure(Tag.REQUEST_MESSAGE,
                    Ttlv.structure(Tag.REQUEST_HEADER, Ttlv.structure(Tag.PROTOCOL_VERSION,
                            Ttlv.integer(Tag.PROTOCOL_VERSION_MAJOR, 2), Ttlv.integer(Tag.PROTOCOL_VERSION_MINOR, 1)),
                            Ttlv.integer(Tag.BATCH_COUNT, 1)),
                    Ttlv.structure(Tag.BATCH_ITEM, Ttlv.enumeration(Tag.OPERATION, operation.code()),
                            Ttlv.structure(Tag.REQUEST_PAYLOAD, payload)));
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(facts.get("kmipHost").asText(),
                    facts.get("kmipPort").asInt())) {
                socket.getOutputStream().write(TtlvWriter.write(request));
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] header = in.readNBytes(TtlvReader.HEADER_BYTES);
                byte[] message = Arrays.copyOf(header, TtlvReader.messageLength(header, TtlvLimits.DEFAULT));
                in.readFully(message, header.length, message.length - header.length);
                return TtlvReader.read(message, TtlvLimits.DEFAULT).require(Tag.BATCH_ITEM).require(Tag.RESPONSE_PAYLOAD);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

}
