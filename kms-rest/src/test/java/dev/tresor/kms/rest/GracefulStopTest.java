package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stopping lets a request in flight (an RSA-4096 key generation) finish, then takes no new ones. */
class GracefulStopTest {
    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    @Test
    void aRequestInFlightFinishesAndNewOnesAreRefused() throws Exception {
        ProjectApi api = server.newProjectApi();
        String ring = api.createRing("stopping");
        CompletableFuture<Http.Reply> slow = CompletableFuture.supplyAsync(() -> api.post(api.ring(ring) + "/keys",
                new JsonObject().put("displayName", "big").put("algorithm", "rsa_4096_oaep_sha256")
                        .put("purpose", "asymmetric_encrypt_decrypt").put("protection", "software")));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!generating() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        RestTestServer.await(server.server().stop());
        assertEquals(202, slow.get().status(), () -> slow.join().toString());
        assertThrows(UncheckedIOException.class, () -> api.get(api.prefix() + "/keyrings"));
    }

    /** True while a key-generation worker is busy, i.e. the slow request is in flight. */
    private static boolean generating() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith(Blocking.KEY_GENERATION_POOL) && t.getState() == Thread.State.RUNNABLE);
    }
}
