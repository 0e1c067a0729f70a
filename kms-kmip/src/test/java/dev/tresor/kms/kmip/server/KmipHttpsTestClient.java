package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvJson;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.kmip.ttlv.TtlvXml;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;

/** A KMIP-over-HTTPS client for tests: the JDK's HTTP client with a client certificate. */
final class KmipHttpsTestClient {
    private final HttpClient http;
    private final URI uri;

    KmipHttpsTestClient(SSLContext context, int port) {
        http = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1).build();
        uri = URI.create("https://localhost:" + port + KmipHttpsServer.PATH);
    }

    HttpResponse<byte[]> post(String contentType, byte[] body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends {@code request} in {@code encoding} and reads the answer, which must be a KMIP message in the same encoding. */
    Ttlv call(Ttlv request, HttpEncoding encoding) throws IOException, InterruptedException {
        byte[] body = switch (encoding) {
            case TTLV -> TtlvWriter.write(request);
            case JSON -> TtlvJson.write(request).getBytes(StandardCharsets.UTF_8);
            case XML -> TtlvXml.toXml(request).getBytes(StandardCharsets.UTF_8);
        };
        HttpResponse<byte[]> response = post(encoding.contentType(), body);
        if (response.statusCode() != 200
                || !response.headers().firstValue("Content-Type").orElse("").equals(encoding.contentType())) {
            throw new IOException("HTTP " + response.statusCode() + ": " + new String(response.body(),
                    StandardCharsets.UTF_8));
        }
        return switch (encoding) {
            case TTLV -> TtlvReader.read(response.body(), TtlvLimits.DEFAULT);
            case JSON -> TtlvJson.read(new String(response.body(), StandardCharsets.UTF_8), TtlvLimits.DEFAULT);
            case XML -> TtlvXml.read(TtlvXml.parseDocument(new ByteArrayInputStream(response.body()))
                    .getDocumentElement(), TtlvLimits.DEFAULT);
        };
    }
}
