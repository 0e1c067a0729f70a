package dev.tresor.kms.rest;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The listener is one HTTP server per core on one shared port: new connections are handed to the
 * servers in turn, so they are served on as many event loops as there are cores, not on one.
 */
class ListenerPerCoreTest {
    private static final String WHICH_LOOP = "/test/event-loop";

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @Test
    void newConnectionsAreServedOnOneEventLoopPerCore() throws IOException {
        server.server().router().get(WHICH_LOOP).handler(ctx -> ctx.response().end(Thread.currentThread().getName()));
        int cores = Runtime.getRuntime().availableProcessors();
        Set<String> loops = new HashSet<>();
        for (int connection = 0; connection < 2 * cores; connection++) {
            String loop = bodyOnNewConnection(WHICH_LOOP);
            assertTrue(loop.startsWith("vert.x-eventloop-thread-"), loop);
            loops.add(loop);
        }
        assertEquals(cores, loops.size(), loops::toString);
    }

    /** One request on a connection of its own, closed after the answer. */
    private static String bodyOnNewConnection(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            return answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }
}
