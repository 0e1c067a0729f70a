package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The web UI's static files under {@code /ui/}: served without a token, with their content types
 * and the headers that keep the pages from being framed, cached or fed foreign content; nothing
 * else is reachable under {@code /ui/}, however the path is spelled.
 */
class WebUiRoutesTest {
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");
    /** {@code src="x"}, {@code href="x"} in HTML and {@code from './x'} / {@code import('./x')} in modules. */
    private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"]+)\"|from '\\./([^']+)'");

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    private static Http.Reply get(String path) {
        return server.http().get(path, null);
    }

    @Test
    void theIndexPageIsServedWithStrictSecurityHeaders() {
        Http.Reply reply = get("/ui/");
        assertEquals(200, reply.status(), reply::toString);
        assertEquals("text/html; charset=utf-8", reply.header("Content-Type").orElseThrow());
        assertTrue(reply.body().contains("<title>Tresor</title>"), reply.body());
        assertEquals("default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                reply.header("Content-Security-Policy").orElseThrow());
        assertEquals("nosniff", reply.header("X-Content-Type-Options").orElseThrow());
        assertEquals("no-referrer", reply.header("Referrer-Policy").orElseThrow());
        assertEquals(List.of("no-store"), reply.headers().allValues("Cache-Control"));
    }

    @Test
    void everyAssetIsServedWithTheContentTypeOfItsKind() {
        for (String asset : WebUiRoutes.ASSETS) {
            Http.Reply reply = get("/ui/" + asset);
            assertEquals(200, reply.status(), asset);
            String extension = asset.substring(asset.lastIndexOf('.') + 1);
            assertEquals(CONTENT_TYPES.get(extension), reply.header("Content-Type").orElseThrow(), asset);
            assertEquals("nosniff", reply.header("X-Content-Type-Options").orElseThrow(), asset);
            assertFalse(reply.body().isBlank(), asset);
        }
    }

    @Test
    void everyReferenceInThePagesAndModulesIsServedLocally() {
        List<String> broken = new ArrayList<>();
        for (String asset : WebUiRoutes.ASSETS) {
            Matcher references = REFERENCE.matcher(get("/ui/" + asset).body());
            while (references.find()) {
                String target = references.group(1) != null ? references.group(1) : references.group(2);
                if (target.contains(":") || target.startsWith("/") || get("/ui/" + target).status() != 200) {
                    broken.add(asset + " -> " + target);
                }
            }
        }
        assertTrue(broken.isEmpty(), () -> String.join("\n", broken));
    }

    @Test
    void theTokenNeverGoesToLocalStorageCookiesOrTheConsole() {
        for (String asset : WebUiRoutes.ASSETS) {
            String body = get("/ui/" + asset).body();
            for (String forbidden : List.of("localStorage", "document.cookie", "console.")) {
                assertFalse(body.contains(forbidden), asset + " uses " + forbidden);
            }
        }
        assertTrue(get("/ui/api.js").body().contains("sessionStorage"));
    }

    @Test
    void theBarePathRedirectsToTheIndex() {
        Http.Reply reply = get("/ui");
        assertEquals(302, reply.status(), reply::toString);
        assertEquals("/ui/", reply.header("Location").orElseThrow());
    }

    @Test
    void anUnknownAssetIsNotFound() {
        Http.Reply reply = get("/ui/missing.js");
        assertEquals(404, reply.status(), reply::toString);
        assertEquals("no such resource", reply.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/ui/..%2Fopenapi.json",
        "/ui/%2e%2e%2f%2e%2e%2fdev%2Ftresor%2Fkms%2Frest%2Fopenapi.json",
        "/ui/..%5CWebUiRoutes.class",
        "/ui/%2e%2e/%2e%2e/etc/passwd",
        "/ui/.%2Findex.html",
        "/ui/webui%2Findex.html",
        "/ui/index.html%00.js",
    })
    void pathTraversalIsRefused(String path) {
        Http.Reply reply = get(path);
        assertEquals(404, reply.status(), reply::toString);
        assertFalse(reply.body().contains("openapi") || reply.body().contains("root:"), reply::toString);
    }

    @Test
    void onlyGetIsAllowed() {
        assertEquals(405, server.http().post("/ui/", null, "{}").status());
        assertEquals(405, server.http().delete("/ui/app.js", null).status());
    }
}
