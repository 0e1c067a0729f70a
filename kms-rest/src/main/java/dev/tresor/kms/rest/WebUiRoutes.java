package dev.tresor.kms.rest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The web UI: static files under {@code /ui/}, read once from the class path into memory. Only
 * the names in {@link #ASSETS} are served, so no request path can reach any other resource or
 * file. The pages call the REST and admin APIs from the browser with the user's bearer token; the
 * headers keep them from being framed, from loading anything from elsewhere and from being cached.
 */
final class WebUiRoutes {
    static final String PATH = "/ui";
    static final String INDEX = "index.html";
    static final List<String> ASSETS = List.of(INDEX, "style.css", "icon.svg", "app.js", "api.js", "dom.js",
            "keys.js", "try-it.js", "exports.js");
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String RESOURCE_DIR = "/webui/";

    private record Asset(Buffer body, String contentType) {
    }

    private final Map<String, Asset> assets;

    WebUiRoutes() {
        this.assets = ASSETS.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), WebUiRoutes::load));
    }

    void mount(Router router) {
        router.get(PATH + "/").handler(ctx -> serve(ctx, INDEX));
        router.get(PATH + "/:asset").handler(ctx -> serve(ctx, ctx.pathParam("asset")));
        // After "/ui/": Vert.x's exact path "/ui" would match "/ui/" too.
        router.get(PATH).handler(this::redirect);
    }

    private void redirect(RoutingContext ctx) {
        secured(ctx.response()).setStatusCode(302).putHeader(HttpHeaders.LOCATION, PATH + "/").end();
    }

    private void serve(RoutingContext ctx, String name) {
        Asset asset = assets.get(name);
        if (asset == null) {
            ctx.fail(404);
            return;
        }
        secured(ctx.response()).putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType()).end(asset.body());
    }

    private static HttpServerResponse secured(HttpServerResponse response) {
        return response
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY");
    }

    private static Asset load(String name) {
        try (InputStream in = WebUiRoutes.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("web UI asset " + name + " is missing from kms-rest");
            }
            return new Asset(Buffer.buffer(in.readAllBytes()), contentType(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> throw new IllegalStateException("web UI asset " + name + " has no known content type");
        };
    }
}
