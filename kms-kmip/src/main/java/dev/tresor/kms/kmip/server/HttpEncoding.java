package dev.tresor.kms.kmip.server;

import dev.tresor.kms.kmip.ttlv.Ttlv;
import dev.tresor.kms.kmip.ttlv.TtlvJson;
import dev.tresor.kms.kmip.ttlv.TtlvLimits;
import dev.tresor.kms.kmip.ttlv.TtlvReader;
import dev.tresor.kms.kmip.ttlv.TtlvWriter;
import dev.tresor.kms.kmip.ttlv.TtlvXml;
import dev.tresor.kms.service.KmsError;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The message encodings of the KMIP HTTPS profile, told apart by Content-Type: binary TTLV, and
 * its JSON and XML encodings. A JSON or XML request is turned into binary TTLV for the same
 * {@link MessageProcessor} as the TLS listener, and the answer back into the request's encoding.
 */
enum HttpEncoding {
    TTLV("application/octet-stream"), JSON("application/json"), XML("text/xml");

    /** Limits for reading back an answer this server wrote itself. */
    private static final TtlvLimits OWN_ANSWERS = new TtlvLimits(Integer.MAX_VALUE, 64, Integer.MAX_VALUE);

    private final String contentType;

    HttpEncoding(String contentType) {
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    /** The encoding a Content-Type names (parameters such as charset ignored); {@code application/xml} is XML too. */
    static Optional<HttpEncoding> of(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (type.equals("application/xml")) {
            return Optional.of(XML);
        }
        for (HttpEncoding encoding : values()) {
            if (encoding.contentType.equals(type)) {
                return Optional.of(encoding);
            }
        }
        return Optional.empty();
    }

    /**
     * The request as binary TTLV; a JSON or XML body is checked against the depth and item limits
     * while it is read.
     *
     * @throws KmsError INVALID_ARGUMENT naming what is not valid
     */
    byte[] toTtlv(Buffer body, TtlvLimits limits) {
        return switch (this) {
            case TTLV -> body.getBytes();
            case JSON -> TtlvWriter.write(TtlvJson.read(body.toString(StandardCharsets.UTF_8), limits));
            case XML -> TtlvWriter.write(TtlvXml.read(xmlRoot(body), limits));
        };
    }

    /** The processor's binary answer in this encoding. */
    Buffer fromTtlv(byte[] answer) {
        if (this == TTLV) {
            return Buffer.buffer(answer);
        }
        Ttlv tree = TtlvReader.read(answer, OWN_ANSWERS);
        String text = this == JSON ? TtlvJson.write(tree) : TtlvXml.toXml(tree);
        return Buffer.buffer(text, StandardCharsets.UTF_8.name());
    }

    private static org.w3c.dom.Element xmlRoot(Buffer body) {
        try {
            return TtlvXml.parseDocument(new ByteArrayInputStream(body.getBytes())).getDocumentElement();
        } catch (IOException e) {
            throw KmsError.invalid(e.getMessage());
        }
    }
}
