package dev.tresor.kms.rest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves Tresor's own OpenAPI document at {@code /openapi.json}: the STACKIT KMS operations plus
 * Tresor's extensions (RSA signing algorithms, exports, admin API, probes). A test keeps it and
 * the router in step.
 */
final class OpenApiDocument {
    static final String PATH = "/openapi.json";
    static final String RESOURCE = "openapi.json";

    private final Buffer document;

    OpenApiDocument() {
        this.document = load();
    }

    void mount(Router router) {
        router.get(PATH).handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, Replies.JSON)
                .end(document));
    }

    static Buffer load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from kms-rest");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
